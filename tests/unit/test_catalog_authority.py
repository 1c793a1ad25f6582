"""Catalogue authority (issue 19, finding 2): a catalogue admin imports and updates only the procedures
of its own agency and the agencies below it; the province's oversight agency imports any."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from services.catalog.logic.authority import covers, screen
from services.catalog.logic.catalog import import_package
from services.catalog.logic.tthc import Structure, parse_package
from services.core.procedures import Procedure

SAMPLE = json.loads((Path(__file__).parent.parent / "events" / "tthc-package-sample.json").read_text())
OFFICE = "000.00.00.H53"  # Văn phòng UBND tỉnh: the oversight agency
JUSTICE = "000.00.01.H53"  # Sở Tư pháp
CITY = "000.00.20.H53"  # UBND thành phố Sóc Trăng
WARD6 = "000.00.31.H53"  # UBND Phường 6, below the city
WARD7 = "000.07.20.H53"  # UBND Phường 7, below the city
STRUCTURE = Structure.from_config(
    {
        "tiers": [
            {"code": "province", "national_code": "1"},
            {"code": "district", "national_code": "2"},
            {"code": "commune", "national_code": "3"},
        ],
        "oversight": [OFFICE],
        "agencies": [
            {"code": OFFICE, "name": "Văn phòng UBND tỉnh", "tier": "province", "parent": None},
            {"code": JUSTICE, "name": "Sở Tư pháp", "tier": "province", "parent": None},
            {"code": CITY, "name": "UBND thành phố Sóc Trăng", "tier": "district", "parent": None},
            {"code": WARD6, "name": "UBND Phường 6", "tier": "commune", "parent": CITY},
            {"code": WARD7, "name": "UBND Phường 7", "tier": "commune", "parent": CITY},
        ],
    }
)


def record(code: str, agency: str, fee: str = "4000000", national_tier: str = "1") -> dict[str, Any]:
    found = copy.deepcopy(SAMPLE[1])
    found.update(
        {
            "MaTTHC": code,
            "COQUANTHUCHIEN": [{"MADONVI": agency, "TENDONVI": "Cơ quan"}],
            "CAPTHUCHIEN": [{"CAPTHUCHIEN": national_tier}],
        }
    )
    for way in found["CACHTHUCTHUCHIEN"]:
        way["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = fee
    return found


class MemoryStore:
    """The catalogue's table as a dict: the import's port, without AWS."""

    def __init__(self, procedures: Sequence[Procedure] = ()) -> None:
        self.items = {p.code: p for p in procedures}
        self.writes = 0

    def stored_agencies(self, codes: Sequence[str]) -> dict[str, str]:
        return {c: self.items[c].agency.code for c in codes if c in self.items}

    def put_procedures(self, procedures: Sequence[Procedure]) -> None:
        self.writes += 1
        self.items.update({p.code: p for p in procedures})

    def listing_records(self) -> list[dict[str, Any]]:
        return []

    def read_snapshot(self, etag: str | None = None) -> None:
        return None

    def write_snapshot(self, records: list[dict[str, Any]]) -> str:
        return "etag"


def test_an_agency_covers_itself_and_the_agencies_below_it_only():
    assert covers(CITY, CITY, STRUCTURE) and covers(CITY, WARD6, STRUCTURE)
    assert not covers(WARD6, CITY, STRUCTURE)  # not upwards
    assert not covers(WARD6, WARD7, STRUCTURE)  # not sideways
    assert not covers(JUSTICE, WARD6, STRUCTURE) and not covers(WARD6, JUSTICE, STRUCTURE)
    assert not covers(WARD6, "999.99.99.H53", STRUCTURE)  # an agency the structure does not know


def test_the_oversight_agency_covers_every_agency_even_unknown_ones():
    assert all(covers(OFFICE, a, STRUCTURE) for a in (JUSTICE, CITY, WARD6, "999.99.99.H53"))


def test_a_cycle_in_the_structure_ends():
    looped = Structure(parents={"A": "B", "B": "A"})
    assert not covers("C", "A", looped)


def test_a_communes_admin_cannot_take_over_a_departments_procedure_and_the_rest_imports():
    # given a department's procedure in the catalogue, with a fee of 4,000,000 VND
    department = parse_package([record("1.009001.000.00.00.H53", JUSTICE)], STRUCTURE).procedures[0]
    store = MemoryStore([department])
    # when the ward's admin re-imports it under its own agency at 99,000,000 VND, plus one of its own
    takeover = record("1.009001.000.00.00.H53", WARD6, fee="99000000", national_tier="3")
    own = record("1.009002.000.00.00.H53", WARD6, national_tier="3")
    result = import_package([takeover, own], STRUCTURE, store, None, importer=WARD6)
    # then the take-over is rejected naming the department; the ward's own procedure imports
    assert [r["code"] for r in result.rejected] == ["1.009001.000.00.00.H53"]
    assert "Sở Tư pháp" in result.rejected[0]["detail"] and JUSTICE in result.rejected[0]["detail"]
    assert (result.imported, result.updated) == (1, 0)
    stored = store.items["1.009001.000.00.00.H53"]
    assert stored.agency.code == JUSTICE and stored.fee_vnd == 4_000_000


def test_an_admin_cannot_hand_its_procedure_to_an_agency_outside_its_scope():
    # given the ward's procedure, re-imported by the ward's admin naming the department
    ward = parse_package([record("1.009003.000.00.00.H53", WARD6, national_tier="3")], STRUCTURE).procedures
    store = MemoryStore(ward)
    # when
    result = import_package(
        [record("1.009003.000.00.00.H53", JUSTICE)], STRUCTURE, store, None, importer=WARD6
    )
    # then
    assert result.imported == result.updated == 0 and store.writes == 0
    assert "Cơ quan thực hiện «Sở Tư pháp»" in result.rejected[0]["detail"]


def test_a_parent_agency_and_the_oversight_agency_may_update_a_wards_procedure():
    ward = parse_package([record("1.009004.000.00.00.H53", WARD6, national_tier="3")], STRUCTURE).procedures
    for importer in (CITY, OFFICE):
        store = MemoryStore(ward)
        changed = record("1.009004.000.00.00.H53", WARD6, fee="50000", national_tier="3")
        result = import_package([changed], STRUCTURE, store, None, importer=importer)
        assert (result.updated, result.rejected) == (1, []), importer
        assert store.items["1.009004.000.00.00.H53"].fee_vnd == 50_000


def test_the_oversight_agency_may_move_a_procedure_between_agencies():
    department = parse_package([record("1.009005.000.00.00.H53", JUSTICE)], STRUCTURE).procedures
    store = MemoryStore(department)
    moved = record("1.009005.000.00.00.H53", WARD6, national_tier="3")
    result = import_package([moved], STRUCTURE, store, None, importer=OFFICE)
    assert result.updated == 1 and store.items["1.009005.000.00.00.H53"].agency.code == WARD6


def test_the_operators_seed_is_not_screened():
    procedures = parse_package([record("1.009006.000.00.00.H53", JUSTICE)], STRUCTURE).procedures
    assert screen(procedures, {}, None, STRUCTURE).allowed == procedures


def test_the_structure_carries_names_parents_and_oversight():
    assert STRUCTURE.oversight == {OFFICE}
    assert STRUCTURE.parents[WARD6] == CITY and STRUCTURE.parents[CITY] is None
    assert STRUCTURE.agency_names[JUSTICE] == "Sở Tư pháp"
