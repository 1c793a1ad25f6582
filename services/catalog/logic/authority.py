"""Which procedures a catalogue admin may import or update.

An admin covers its own agency and the agencies below it in the administrative structure (`parent`
links); the agencies the structure names in `oversight` (the province's People's Committee office)
cover every agency. Both the procedure's stored agency and the agency the new record names must be
covered, so an admin can neither take over another agency's procedure nor hand one of its own over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.catalog.logic.tthc import Structure
from services.core.procedures import Procedure

SCOPE_RULE = "chỉ được nhập thủ tục của cơ quan mình và các cơ quan trực thuộc"


@dataclass(frozen=True)
class Screened:
    allowed: list[Procedure]
    refused: list[dict[str, str]]


def covers(importer: str, agency: str, structure: Structure) -> bool:
    """Whether the admin of `importer` may act on procedures of `agency`."""
    if importer in structure.oversight or agency == importer:
        return True
    seen: set[str] = set()
    current = structure.parents.get(agency)
    while current and current not in seen:  # a cycle in the configuration must not loop forever
        if current == importer:
            return True
        seen.add(current)
        current = structure.parents.get(current)
    return False


def screen(
    procedures: Sequence[Procedure],
    stored_agencies: Mapping[str, str],
    importer: str | None,
    structure: Structure,
) -> Screened:
    """The procedures the importer may write, and the others with the reason (Vietnamese).

    `stored_agencies` maps the codes already in the catalogue to their current agency; `importer` is
    the admin's agency, or None for the operator's seed, which is not an official's request.
    """
    if importer is None:
        return Screened(list(procedures), [])
    allowed, refused = [], []
    for procedure in procedures:
        current = stored_agencies.get(procedure.code)
        if current is not None and not covers(importer, current, structure):
            detail = (
                f"Thủ tục đang thuộc {_agency(current, structure)}, ngoài phạm vi quản lý của "
                f"{_agency(importer, structure)}; {SCOPE_RULE}."
            )
        elif not covers(importer, procedure.agency.code, structure):
            detail = (
                f"Cơ quan thực hiện {_agency(procedure.agency.code, structure, procedure.agency.name)} "
                f"không thuộc phạm vi quản lý của {_agency(importer, structure)}; {SCOPE_RULE}."
            )
        else:
            allowed.append(procedure)
            continue
        refused.append({"code": procedure.code, "detail": detail})
    return Screened(allowed, refused)


def _agency(code: str, structure: Structure, fallback: str = "") -> str:
    name = structure.agency_names.get(code) or fallback
    return f"«{name}» ({code})" if name else f"cơ quan {code}"
