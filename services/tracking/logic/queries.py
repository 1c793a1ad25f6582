"""What officials read: their agency's inbox, page by page (sharded for the busiest agencies), and one
dossier in detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.core import keys
from services.core.auth import Official, Role
from services.core.clock import iso, now
from services.core.cursors import Cursors
from services.core.dossiers import Status, label
from services.core.repository import DossierRepository
from services.tracking.logic import inbox as placement
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.detail import detail_view
from services.tracking.logic.ports import Clock, InboxPages, Links
from services.tracking.logic.records import scoped
from services.tracking.logic.steps import WAITING


class Filters:
    """An inbox's filters as a Query takes them: the sort-key bound, the filter clauses and values."""

    def __init__(self, overdue: bool | None, procedure: str | None, moment: datetime):
        self.before: str | None = None
        self.clauses: list[str] = []
        self.values: dict[str, Any] = {}
        if overdue is True:
            self.before = iso(moment)  # the sort key starts with the due date: overdue ones are a key range
            self.clauses.append("attribute_exists(due_at) AND attribute_not_exists(paused_at)")
        elif overdue is False:
            self.clauses.append(
                "(attribute_not_exists(due_at) OR due_at >= :now OR attribute_exists(paused_at))"
            )
            self.values["now"] = iso(moment)
        if procedure:
            self.clauses.append("procedure_code = :procedure")
            self.values["procedure"] = procedure


@dataclass
class Queries:
    dossiers: DossierRepository
    pages: InboxPages
    links: Links
    agencies: Agencies
    cursors: Cursors
    clock: Clock = now

    def inbox(
        self,
        official: Official,
        status: str | None,
        overdue: bool | None,
        procedure: str | None,
        limit: int,
        cursor: str | None,
    ) -> dict[str, Any]:
        official.require(Role.RECEIVER, Role.HANDLER, Role.LEADER)
        moment = self.clock()
        filters = Filters(overdue, procedure, moment)
        shards = self.agencies.shards(official.agency)
        index = "GSI2" if status else "GSI1"
        partitions = [
            keys.inbox_status_partition(official.agency, status, n, shards)
            if status
            else keys.inbox_partition(official.agency, n, shards)
            for n in range(shards)
        ]
        if shards == 1:  # one Query per page: every agency but the busiest few
            page, next_cursor = self._page(index, partitions[0], limit, cursor, filters)
        else:
            page, next_cursor = self._sharded_page(index, partitions, limit, cursor, filters)
        return {"items": [inbox_item(d, moment) for d in page], "next_cursor": next_cursor}

    def detail(self, official: Official, code: str) -> dict[str, Any]:
        return detail_view(scoped(self.dossiers, official, code), official, self.links, self.clock())

    def _page(
        self, index: str, partition: str, limit: int, cursor: str | None, filters: Filters
    ) -> tuple[list[dict[str, Any]], str | None]:
        start = placement.decode_cursor(self.cursors, cursor, f"{index}PK", partition)
        items, last = self.pages.inbox_page(
            index,
            partition,
            limit=limit,
            start=start,
            before=filters.before,
            filters=filters.clauses,
            values=filters.values,
        )
        return items, placement.encode_cursor(self.cursors, last, f"{index}PK", partition)

    def _sharded_page(
        self, index: str, partitions: list[str], limit: int, cursor: str | None, filters: Filters
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A busy agency's inbox: one Query per shard, merged most urgent first."""
        from concurrent.futures import ThreadPoolExecutor

        attribute = f"{index}PK"
        starts, done = placement.decode_shard_cursor(self.cursors, cursor, attribute, partitions)

        def read(n: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
            if done[n]:
                return [], None
            return self.pages.inbox_page(
                index,
                partitions[n],
                limit=limit,
                start=starts[n],
                before=filters.before,
                filters=filters.clauses,
                values=filters.values,
            )

        with ThreadPoolExecutor(max_workers=min(8, len(partitions))) as pool:
            pages = list(pool.map(read, range(len(partitions))))
        merged = sorted(
            ((item[f"{index}SK"], n, item) for n, (items, _) in enumerate(pages) for item in items),
            key=lambda entry: (entry[0], entry[1]),
        )[:limit]
        for n, (items, last) in enumerate(pages):
            if done[n]:
                continue
            used = [item for _, m, item in merged if m == n]
            if used:
                final = used[-1]
                starts[n] = {k: {"S": str(final[k])} for k in ("PK", "SK", attribute, f"{index}SK")}
            if len(used) == len(items) and last is None:
                done[n] = True  # read to its end
        next_cursor = placement.encode_shard_cursor(self.cursors, starts, done, attribute, partitions)
        return [item for _, _, item in merged], next_cursor


def inbox_item(d: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """An inbox line, from the attributes the inbox indexes project only (docs/cost.md)."""
    return {
        "code": d["code"],
        "procedure_code": d["procedure_code"],
        "procedure_name": d["procedure_name"],
        # on META since submission writes it; the applicant's own record for dossiers written before
        "applicant_name": d.get("applicant_name") or (d.get("applicant") or {}).get("full_name", ""),
        "status": d["status"],
        "status_label": label(d["status"]),
        "payment_status": d.get("payment_status", "NOT_REQUIRED"),
        "received_at": d.get("received_at"),
        "due_at": d.get("due_at"),
        "overdue": placement.is_overdue(d, moment),
        "due_soon": bool(d.get("due_soon")),
        "waiting": Status(d["status"]) in WAITING,
        "version": d["version"],
    }
