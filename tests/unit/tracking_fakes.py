"""The tracking use cases on in-memory fakes (no tests here): the dossier repository
(services.core.repository), the rest of tracking's storage, the alarm index, the province's calendar
and a clock that stands still until moved.

`World` wires them as services/tracking/wiring.py wires the real ones; `dossier_items` builds a
dossier as submission leaves it (its META, its code's lookup, its CONTENT part and its files).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.core import keys
from services.core.auth import Official, Role, hash_access_token
from services.core.calendar import WorkingCalendar
from services.core.clock import VN_TZ, iso
from services.core.cursors import Cursors
from services.core.dossier import DossierChange, DossierRecord
from services.core.procedures import Procedure
from services.core.repository import InMemoryDossierRepository
from services.tracking.logic.actions import Actions
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.commits import StepWriter
from services.tracking.logic.deadlines import Deadlines
from services.tracking.logic.events import Events
from services.tracking.logic.feedback import Feedback
from services.tracking.logic.ports import Page, StoredResult
from services.tracking.logic.province_calendar import ProvinceCalendar
from services.tracking.logic.public import Public
from services.tracking.logic.queries import Queries
from services.tracking.logic.reports import Reports
from services.tracking.logic.tracking import Tracking
from services.tracking.settings import TrackingSettings

A = "000.00.31.H53"  # the receiving ward
B = "000.00.20.H53"  # the city it forwards to
OVERSEER = "000.00.01.H53"  # the province's People's Committee office
STRUCTURE: dict[str, Any] = {
    "agencies": [
        {"code": A, "name": "UBND Phường 6", "tier": "commune", "parent": B},
        {"code": B, "name": "UBND thành phố Sóc Trăng", "tier": "district", "parent": None},
        {"code": OVERSEER, "name": "Văn phòng UBND tỉnh", "tier": "province", "parent": None},
    ],
    "oversight": [OVERSEER],
}
TOKEN = "citizen-token-0123456789"
CHECK_KEY = "unit-test-lookup-check-key"
CODE = "000.00.31.H53-261130-0001"
# a Monday morning, in office hours
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=VN_TZ)

SETTINGS = TrackingSettings(
    _env_file=None,  # type: ignore[call-arg]
    stage="local",
    table_name="t",
    portal_url="https://portal.test",
    officials_issuer="https://issuer.test",
    officials_audience="officials",
    uploads_bucket="uploads",
    results_bucket="results",
    lookup_check_key=CHECK_KEY,
)


def official(agency: str = A, *roles: Role, sub: str = "sub-lan", name: str = "Trần Thị Lan") -> Official:
    return Official(
        sub=sub, name=name, agency=agency, roles=frozenset(roles or (Role.RECEIVER, Role.HANDLER))
    )


def dossier_items(
    dossier_id: str = "d1", code: str = CODE, content: bool = True, **meta: Any
) -> list[dict[str, Any]]:
    """A dossier as submission leaves it: SUBMITTED, not yet in an inbox. With `content`, what the
    citizen declared is in the CONTENT part (META keeps `applicant_name`); without, on META, as
    dossiers written before the part existed."""
    declared = {
        "applicant": {"full_name": "Nguyễn Thị Lan", "id_number": "079123456789"},
        "form_data": {"ly_do": "Giám hộ cho cháu"},
        "delivery": {"method": "online"},
        "documents": [
            {"component_id": "GT1", "name": "Tờ khai đăng ký giám hộ"},
            {"component_id": "GT2", "name": "Văn bản cử người giám hộ"},
        ],
    }
    item = {
        **keys.dossier(dossier_id),
        "id": dossier_id,
        "code": code,
        "status": "SUBMITTED",
        "version": 1,
        "agency": A,
        "agency_name": "UBND Phường 6",
        "procedure_code": "1.000893.000.00.00.H53",
        "procedure_name": "Đăng ký giám hộ",
        "level": 3,
        "processing_days": 3,
        "payment_status": "NOT_REQUIRED",
        "received_at": iso(MONDAY - timedelta(hours=1)),
        "token_hash": hash_access_token(TOKEN),
        "applicant_name": "Nguyễn Thị Lan",
        **({} if content else declared),
        **meta,
    }
    items = [item, {**keys.code_lookup(code), "dossier_id": dossier_id}]
    if content:
        items.append({**keys.dossier_part(dossier_id, keys.CONTENT), **declared})
    for n, component in enumerate(("GT1", "GT2")):
        items.append(
            {
                **keys.dossier_file(dossier_id, f"f{n}"),
                "file_id": f"f{n}",
                "component_id": component,
                "key": f"uploads/{dossier_id}/f{n}.pdf",
                "file_name": f"giay-to-{n}.pdf",
                "content_type": "application/pdf",
                "size": 1000,
                "status": "VERIFIED",
                "created_at": iso(MONDAY - timedelta(hours=2, minutes=-n)),
            }
        )
    return items


def result_item(dossier_id: str = "d1", file_id: str = "r1", **fields: Any) -> dict[str, Any]:
    return {
        **keys.result_file(dossier_id, file_id),
        "file_id": file_id,
        "key": f"results/{dossier_id}/{file_id}.pdf",
        "file_name": "Quyet-dinh.pdf",
        "content_type": "application/pdf",
        "size": 10,
        "created_at": iso(MONDAY),
        **fields,
    }


class Dossiers(InMemoryDossierRepository):
    """The in-memory repository, with a hook run once just before the next commit (what another
    request does between this one's read and its write) and the lookups the tests make."""

    def __init__(self) -> None:
        super().__init__()
        self.race: Callable[[], None] | None = None

    def commit(self, change: DossierChange) -> None:
        race, self.race = self.race, None
        if race is not None:
            race()
        super().commit(change)

    def add(self, items: Sequence[dict[str, Any]]) -> None:
        for item in items:
            self.put(item)

    def meta(self, dossier_id: str = "d1") -> dict[str, Any]:
        return self.get(keys.dossier(dossier_id)) or {}

    def record(self, dossier_id: str = "d1") -> DossierRecord:
        found = self.load(dossier_id)
        assert found is not None
        return found

    def events(self, event_type: str) -> list[dict[str, Any]]:
        import json

        return [
            json.loads(i["event"])
            for (pk, _), i in self.items.items()
            if pk.startswith(keys.OUTBOX_PREFIX) and i["event_type"] == event_type
        ]

    def snapshot(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {k: dict(v) for k, v in self.items.items()}


class Store:
    """Tracking's storage besides the dossiers. The result pins are written into the repository's
    items, as on the table; the inbox pages read its META items by their index keys."""

    def __init__(self, dossiers: Dossiers) -> None:
        self.dossiers = dossiers
        self.results: dict[str, bytes] = {}  # the results bucket, without versions
        self.markers: set[str] = set()
        self.counters: dict[tuple[str, str, str], dict[str, int]] = {}
        self.petitions: dict[str, dict[str, Any]] = {}
        self.procedures: dict[str, Procedure] = {}

    # -- inbox pages -------------------------------------------------------------------------------

    def inbox_page(
        self,
        index: str,
        partition: str,
        *,
        limit: int,
        start: dict[str, Any] | None,
        before: str | None = None,
        filters: Sequence[str] = (),
        values: dict[str, Any] | None = None,
    ) -> Page:
        found = sorted(
            (i for i in self.dossiers.items.values() if i.get(f"{index}PK") == partition),
            key=lambda i: str(i[f"{index}SK"]),
        )
        if before:
            found = [i for i in found if str(i[f"{index}SK"]) < before]
        return found[:limit], None

    # -- links and result documents ----------------------------------------------------------------

    def document_link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        return f"https://uploads.test/{key}"

    def result_link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        return f"https://results.test/{key}"

    def result_upload(self, key: str, content_type: str, size: int, seconds: int) -> dict[str, Any]:
        return {"url": "https://results.test/", "fields": {"key": key, "Content-Type": content_type}}

    def result_object(self, key: str) -> StoredResult | None:
        body = self.results.get(key)
        return StoredResult(iter([body]), hashlib.md5(body).hexdigest(), None) if body is not None else None

    def result_version_etag(self, key: str, version_id: str) -> str | None:
        return None

    def freeze_result(self, dossier_id: str, file_id: str, values: dict[str, Any]) -> dict[str, Any]:
        found = self.dossiers.get(keys.result_file(dossier_id, file_id))
        if found is None:
            return {}
        if not found.get("sha256"):
            found = {**found, **values}
            self.dossiers.put(found)
        return found

    # -- counters ----------------------------------------------------------------------------------

    def apply_counts(
        self, consumer: str, event_id: str, deltas: Sequence[dict[str, Any]], dossier_id: str, expires_at: int
    ) -> bool:
        if f"{consumer}#{event_id}" in self.markers:
            return False
        self.markers.add(f"{consumer}#{event_id}")
        for d in deltas:
            row = self.counters.setdefault((d["agency"], d["procedure"], d["month"]), {})
            row[d["field"]] = row.get(d["field"], 0) + int(d["delta"])
        return True

    def counts(
        self, province: str, months: Sequence[str], agency_prefix: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            {"agency": agency, "procedure_code": procedure, "month": month, **counts}
            for (agency, procedure, month), counts in self.counters.items()
            if month in months and (agency_prefix is None or f"{agency}#".startswith(agency_prefix))
        ]

    # -- feedback ----------------------------------------------------------------------------------

    def add_feedback(self, item: dict[str, Any]) -> None:
        self.petitions[item["id"]] = copy.deepcopy(item)

    def feedback(self, feedback_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.petitions.get(feedback_id))

    def record_answer(
        self, feedback_id: str, changes: dict[str, Any], removes: Sequence[str], answers_read: int | None
    ) -> bool:
        found = self.petitions.get(feedback_id)
        kept = None if found is None or "answers" not in found else len(found["answers"])
        if found is None or kept != answers_read:
            return False
        after = {**found, **changes}
        for name in removes:
            after.pop(name, None)
        self.petitions[feedback_id] = after
        return True

    def index_page(
        self, index: str, partition: str, limit: int, start: dict[str, Any] | None, newest_first: bool = True
    ) -> Page:
        found = sorted(
            (p for p in self.petitions.values() if p.get(f"{index}PK") == partition),
            key=lambda p: str(p[f"{index}SK"]),
            reverse=newest_first,
        )
        return found[:limit], None

    def procedure(self, code: str) -> Procedure | None:
        return self.procedures.get(code)


class Alarms:
    """The alarm index: the dossiers whose alarm the test says has come."""

    def __init__(self) -> None:
        self.ringing: list[str] = []
        self.asked: list[tuple[str, datetime, int]] = []

    def due(self, kind: str, now: datetime, lookback_days: int = 7) -> list[str]:
        self.asked.append((kind, now, lookback_days))
        return list(self.ringing)


class Calendar:
    def __init__(self) -> None:
        self.days_off: list[date] = []
        self.working_days: list[date] = []

    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar.with_days(days_off=self.days_off, working_days=self.working_days)

    def days(self) -> dict[str, list[str]]:
        return {
            "days_off": [d.isoformat() for d in self.days_off],
            "working_days": [d.isoformat() for d in self.working_days],
        }

    def save(self, days_off: list[date], working_days: list[date]) -> None:
        self.days_off, self.working_days = sorted(days_off), sorted(working_days)


class Clock:
    def __init__(self, at: datetime = MONDAY) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def move(self, by: timedelta) -> None:
        self.at += by


@dataclass
class World:
    dossiers: Dossiers = field(default_factory=Dossiers)
    alarms: Alarms = field(default_factory=Alarms)
    calendar: Calendar = field(default_factory=Calendar)
    clock: Clock = field(default_factory=Clock)
    structure: dict[str, Any] = field(default_factory=lambda: STRUCTURE)

    def __post_init__(self) -> None:
        self.store = Store(self.dossiers)
        agencies = Agencies(lambda: self.structure)
        writer = StepWriter(self.dossiers, agencies)
        cursors = Cursors(b"unit-test-cursor-key-0123456789")
        working = self.calendar.working_calendar
        self.tracking = Tracking(
            queries=Queries(self.dossiers, self.store, self.store, agencies, cursors, self.clock),
            actions=Actions(self.dossiers, self.store, self.store, agencies, writer, working, self.clock),
            events=Events(self.dossiers, self.store, agencies, writer, working, self.clock),
            deadlines=Deadlines(self.dossiers, self.alarms, writer, self.clock),
            public=Public(self.dossiers, CHECK_KEY, self.clock),
            feedback=Feedback(self.dossiers, self.store, agencies, cursors, self.clock),
            reports=Reports(self.store, agencies),
            calendar=ProvinceCalendar(self.calendar, lambda: self.structure),
            agencies=agencies,
            settings=SETTINGS,
        )

    def given(self, *items: dict[str, Any]) -> None:
        self.dossiers.add(items)
