"""The leaders' statistics: the counters of the agencies they lead and those below them, by month (the
province's overseeing agency sees every agency)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.core import keys
from services.core.auth import Official, Role
from services.core.clock import FIRST_YEAR, LAST_YEAR
from services.core.errors import BadRequest
from services.tracking.logic import stats as counting
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.ports import Counters

MAX_STATS_MONTHS = 36


@dataclass
class Reports:
    counters: Counters
    agencies: Agencies

    def stats(self, official: Official, start: str, end: str) -> dict[str, Any]:
        official.require(Role.LEADER)
        months = _months(start, end)
        agencies = self.agencies.by_code()
        scope = _descendants(official.agency, agencies) | {official.agency}
        oversight = official.agency in set(self.agencies.overseers())
        prefix = None if oversight or len(scope) > 1 else f"{official.agency}#"
        merged: dict[tuple[str, str, str], dict[str, int]] = {}
        for item in self.counters.counts(keys.province_of(official.agency), months, prefix):
            if not oversight and item["agency"] not in scope:
                continue
            counts = merged.setdefault((item["agency"], item["procedure_code"], item["month"]), {})
            for name in counting.FIELDS:
                counts[name] = counts.get(name, 0) + int(item.get(name, 0))
        rows = [
            {
                **counting.row(agency, procedure, month, counts),
                "agency_name": agencies.get(agency, {}).get("name"),
            }
            for (agency, procedure, month), counts in sorted(merged.items())
        ]
        return {"rows": rows}


def _months(start: str, end: str) -> list[str]:
    try:
        first, last = date.fromisoformat(f"{start}-01"), date.fromisoformat(f"{end}-01")
    except ValueError as err:
        raise BadRequest("Tháng phải có dạng YYYY-MM.") from err
    if first.year < FIRST_YEAR or last.year > LAST_YEAR:
        raise BadRequest(f"Tháng phải trong khoảng năm {FIRST_YEAR} đến {LAST_YEAR}.")
    if last < first:
        raise BadRequest("Tháng kết thúc phải sau tháng bắt đầu.")
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MAX_STATS_MONTHS:
        raise BadRequest(f"Mỗi lần xem tối đa {MAX_STATS_MONTHS} tháng.")
    steps = (first.month - 1 + n for n in range(count))
    return [f"{first.year + step // 12}-{step % 12 + 1:02d}" for step in steps]


def _descendants(agency: str, agencies: dict[str, dict[str, Any]]) -> set[str]:
    children: dict[str, list[str]] = {}
    for code, a in agencies.items():
        if a.get("parent"):
            children.setdefault(a["parent"], []).append(code)
    found, pending = set(), [agency]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found
