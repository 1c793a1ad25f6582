"""Tracking use cases: officials' inbox and actions, deadlines, statistics, public lookup, feedback,
ratings, and the events from submission and payment applied to dossiers."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from services.core import keys
from services.core.auth import Official, Role, check_access_token, hash_access_token
from services.core.calendar import WorkingCalendar
from services.core.clock import FIRST_YEAR, LAST_YEAR, iso, iso_ms, now
from services.core.cursors import Cursors
from services.core.dal import alarms
from services.core.ddb import TransactionCancelled, is_condition_failure
from services.core.dossiers import FINAL, Status, label
from services.core.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed, VersionConflict
from services.core.events import Event, EventType
from services.core.lookup import is_valid_check
from services.core.observability import logger
from services.core.text import initials
from services.tracking.dal.store import TrackingStore
from services.tracking.logic import inbox as placement
from services.tracking.logic import results as result_documents
from services.tracking.logic import stats as counting
from services.tracking.logic import workflow
from services.tracking.logic.workflow import Action, Request, Step
from services.tracking.models.api import ActionRequest, FeedbackAnswer, FeedbackRequest, RatingRequest
from services.tracking.settings import TrackingSettings

LINK_SECONDS = 300
MAX_STATS_MONTHS = 36
# where a petition about no dossier and no procedure waits when the structure names no oversight agency
GENERAL_FEEDBACK = "GENERAL"
# versions of one answer kept: ten of 5,000 characters stay well inside a DynamoDB item
MAX_ANSWER_VERSIONS = 10
# An official's result upload grant: used at once by the console; short, so it cannot be re-posted later.
RESULT_GRANT_SECONDS = 300
# An applied-event marker outlives any copy of its event: 4 days in a queue, then 14 in its DLQ.
MARKER_DAYS = 21


class Tracking:
    def __init__(
        self,
        store: TrackingStore,
        settings: TrackingSettings,
        calendar: Callable[[], WorkingCalendar],
        structure: Callable[[], dict[str, Any]],
    ):
        self.store = store
        self.settings = settings
        self.calendar = calendar
        self.structure = structure
        self.cursors = Cursors(settings.cursor_key)
        self._shards_of: dict[str, int] | None = None
        self._shards_for: dict[str, Any] | None = None

    # -- officials: inbox and detail ----------------------------------------------------------------

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
        moment = now()
        filters: list[str] = []
        values: dict[str, Any] = {}
        before = None
        shards = self._inbox_shards(official.agency)
        if status:
            index = "GSI2"
            partitions = [
                keys.inbox_status_partition(official.agency, status, n, shards) for n in range(shards)
            ]
        else:
            index = "GSI1"
            partitions = [keys.inbox_partition(official.agency, n, shards) for n in range(shards)]
        if overdue is True:
            before = iso(moment)  # the sort key starts with the due date: overdue ones are a key range
            filters.append("attribute_exists(due_at) AND attribute_not_exists(paused_at)")
        elif overdue is False:
            filters.append("(attribute_not_exists(due_at) OR due_at >= :now OR attribute_exists(paused_at))")
            values["now"] = iso(moment)
        if procedure:
            filters.append("procedure_code = :procedure")
            values["procedure"] = procedure
        if shards == 1:  # one Query per page: every agency but the busiest few
            start = placement.decode_cursor(self.cursors, cursor, f"{index}PK", partitions[0])
            items, last = self.store.inbox_page(
                index, partitions[0], limit=limit, start=start, before=before, filters=filters, values=values
            )
            return {
                "items": [self._inbox_item(d, moment) for d in items],
                "next_cursor": placement.encode_cursor(self.cursors, last, f"{index}PK", partitions[0]),
            }
        page, next_cursor = self._sharded_page(index, partitions, limit, cursor, before, filters, values)
        return {"items": [self._inbox_item(d, moment) for d in page], "next_cursor": next_cursor}

    def _sharded_page(
        self,
        index: str,
        partitions: list[str],
        limit: int,
        cursor: str | None,
        before: str | None,
        filters: list[str],
        values: dict[str, Any],
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A busy agency's inbox: one Query per shard, merged most urgent first."""
        from concurrent.futures import ThreadPoolExecutor

        attribute = f"{index}PK"
        starts, done = placement.decode_shard_cursor(self.cursors, cursor, attribute, partitions)

        def read(n: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
            if done[n]:
                return [], None
            return self.store.inbox_page(
                index,
                partitions[n],
                limit=limit,
                start=starts[n],
                before=before,
                filters=filters,
                values=values,
            )

        with ThreadPoolExecutor(max_workers=min(8, len(partitions))) as pool:
            pages = list(pool.map(read, range(len(partitions))))
        merged = sorted(
            ((item[f"{index}SK"], n, item) for n, (items, _) in enumerate(pages) for item in items),
            key=lambda entry: (entry[0], entry[1]),
        )[:limit]
        taken = {n: [item for _, m, item in merged if m == n] for n in range(len(partitions))}
        for n, (items, last) in enumerate(pages):
            if done[n]:
                continue
            used = taken[n]
            if used:
                final = used[-1]
                starts[n] = {k: {"S": str(final[k])} for k in ("PK", "SK", attribute, f"{index}SK")}
            if len(used) == len(items) and last is None:
                done[n] = True  # read to its end
        next_cursor = placement.encode_shard_cursor(self.cursors, starts, done, attribute, partitions)
        return [item for _, _, item in merged], next_cursor

    @staticmethod
    def _inbox_item(d: dict[str, Any], moment: datetime) -> dict[str, Any]:
        return {
            "code": d["code"],
            "procedure_code": d["procedure_code"],
            "procedure_name": d["procedure_name"],
            "applicant_name": d.get("applicant", {}).get("full_name", ""),
            "status": d["status"],
            "status_label": label(d["status"]),
            "payment_status": d.get("payment_status", "NOT_REQUIRED"),
            "received_at": d.get("received_at"),
            "due_at": d.get("due_at"),
            "overdue": placement.is_overdue(d, moment),
            "due_soon": bool(d.get("due_soon")),
            "waiting": Status(d["status"]) in workflow.WAITING,
            "version": d["version"],
        }

    def _load(self, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        dossier_id = self.store.dossier_id(code) if len(code) <= 60 else None
        items = self.store.partition(dossier_id) if dossier_id else []
        meta = next((i for i in items if i["SK"] == "META"), None)
        if meta is None:
            raise NotFound(f"Không tìm thấy hồ sơ {code}.")
        return meta, items

    def _scoped(self, official: Official, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        official.require(Role.RECEIVER, Role.HANDLER, Role.LEADER)
        meta, items = self._load(code)
        official.require_agency(meta.get("current_agency") or meta["agency"])
        return meta, items

    def detail(self, official: Official, code: str) -> dict[str, Any]:
        meta, items = self._scoped(official, code)
        return self._detail(meta, items, official)

    def _detail(
        self, meta: dict[str, Any], items: list[dict[str, Any]], official: Official
    ) -> dict[str, Any]:
        documents = {d["component_id"]: d["name"] for d in meta.get("documents", [])}
        files = [
            self._file_link(f, documents)
            for f in sorted(
                (i for i in items if i["SK"].startswith(keys.FILE_PREFIX)), key=lambda f: f["created_at"]
            )
        ]
        results = [
            self._result_link(r)
            for r in sorted(
                (i for i in items if i["SK"].startswith("RESULT#")), key=lambda r: r["created_at"]
            )
        ]
        history = [
            _history_view(h)
            for h in sorted(
                (i for i in items if i["SK"].startswith(keys.HISTORY_PREFIX)), key=lambda h: h["SK"]
            )
        ]
        supplement = None
        if meta.get("supplement_round"):
            supplement = {
                k: meta.get(f"supplement_{k}")
                for k in ("round", "requested_at", "note", "submitted_at", "citizen_note")
            }
        agency = meta.get("current_agency") or meta["agency"]
        return {
            "id": meta["id"],
            "code": meta["code"],
            "status": meta["status"],
            "status_label": label(meta["status"]),
            "payment_status": meta.get("payment_status", "NOT_REQUIRED"),
            "amount_due_vnd": int(meta.get("amount_due_vnd") or 0),
            "procedure_code": meta["procedure_code"],
            "procedure_name": meta["procedure_name"],
            "level": meta["level"],
            "agency": {"code": agency, "name": meta.get("current_agency_name") or meta["agency_name"]},
            "receiving_agency": {"code": meta["agency"], "name": meta["agency_name"]},
            "applicant": meta.get("applicant", {}),
            "form_data": meta.get("form_data", {}),
            "delivery": meta.get("delivery", {}),
            "received_at": meta.get("received_at"),
            "accepted_at": meta.get("accepted_at"),
            "due_at": meta.get("due_at"),
            "overdue": placement.is_overdue(meta, now()),
            "paused": bool(meta.get("paused_at")),
            "supplement": supplement,
            "outcome": meta.get("outcome"),
            "files": files,
            "results": results,
            "history": history,
            "apologies": meta.get("apologies", []),
            "allowed_actions": workflow.allowed_actions(meta, official),
            "version": meta["version"],
        }

    def _file_link(self, f: dict[str, Any], documents: dict[str, str]) -> dict[str, Any]:
        usable = f["status"] == "VERIFIED"
        return {
            "file_id": f["file_id"],
            "component_id": f.get("component_id"),
            "name": documents.get(f.get("component_id", ""), ""),
            "file_name": f["file_name"],
            "content_type": f["content_type"],
            "size": int(f.get("size") or f.get("declared_size") or 0),
            "status": f["status"],
            "reason": f.get("reason") or None,
            "supplement": bool(f.get("supplement")),
            "sha256": f.get("sha256"),
            "url": self.store.download_link(
                self.store.uploads_bucket,
                f["key"],
                f["file_name"],
                f["content_type"],
                LINK_SECONDS,
                f.get("version_id"),  # the version the verifier pinned
            )
            if usable
            else None,
        }

    def _result_link(self, r: dict[str, Any]) -> dict[str, Any]:
        return {
            "file_id": r["file_id"],
            "name": "Văn bản kết quả",
            "file_name": r["file_name"],
            "content_type": r["content_type"],
            "size": int(r["size"]),
            "status": "UPLOADED",
            "sha256": r.get("sha256"),
            "url": self.store.download_link(
                self.store.results_bucket,
                r["key"],
                r["file_name"],
                r["content_type"],
                LINK_SECONDS,
                r.get("version_id"),  # once frozen, the pinned version only
            ),
        }

    # -- officials: actions ------------------------------------------------------------------------

    def act(self, official: Official, code: str, body: ActionRequest) -> dict[str, Any]:
        workflow.authorize(body.action, official)
        meta, items = self._scoped(official, code)
        if meta["version"] != body.expected_version:
            raise VersionConflict(
                f"Hồ sơ đã được cập nhật (phiên bản {meta['version']}); vui lòng tải lại trước khi thao tác.",
                current_version=meta["version"],
            )
        request = Request(
            action=body.action,
            note=body.note,
            to_agency=body.to_agency,
            to_agency_name=self._agency_name(body.to_agency) if body.to_agency else None,
            outcome=body.outcome,
            result=body.result,
            new_due_at=body.new_due_at,
            amount_vnd=body.amount_vnd,
        )
        moment = now()
        step = workflow.decide(meta, request, official, moment, self.calendar())
        checks: list[dict[str, str]] = []
        if body.action == Action.FORWARD:
            # the results this agency uploaded stay as they are once the dossier leaves it
            items = result_documents.freeze_uploaded(self.store, meta["id"], items)
        if body.action == Action.RETURN_RESULT:
            result = next((i for i in items if i["SK"] == f"RESULT#{body.result}"), None)
            if result is None:
                raise ValidationFailed(
                    "Văn bản kết quả chưa được tải lên.",
                    errors=[{"field": "result", "message": "Tải văn bản kết quả lên trước."}],
                )
            frozen = result_documents.freeze(self.store, meta["id"], result)
            workflow.record_result(step, frozen)
            items = [frozen if i is result else i for i in items]
            checks.append(keys.dossier_part(meta["id"], f"RESULT#{body.result}"))
        after, entry = self._commit(meta, step, official.sub, official.agency, moment, checks, official.name)
        return self._detail(after, [*items, entry], official)

    def _inbox_shards(self, agency: str) -> int:
        """How many partitions an agency's inbox is spread over (its structure entry; 1 by default)."""
        structure = self.structure()
        if self._shards_of is None or self._shards_for is not structure:
            self._shards_for = structure
            self._shards_of = {
                a["code"]: max(1, int(a.get("inbox_shards", 1))) for a in structure.get("agencies", [])
            }
        return self._shards_of.get(agency, 1)

    def _agency_name(self, code: str) -> str:
        agencies = {a["code"]: a for a in self.structure().get("agencies", [])}
        if code not in agencies:
            raise ValidationFailed(
                "Cơ quan nhận không có trong cơ cấu hành chính.",
                errors=[{"field": "to_agency", "message": "Mã cơ quan không hợp lệ."}],
            )
        return str(agencies[code]["name"])

    def _commit(
        self,
        meta: dict[str, Any],
        step: Step,
        by: str,
        agency: str,
        moment: datetime,
        checks: list[dict[str, str]] | None = None,
        name: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Writes one step: changes, index placement, history entry and events in one transaction.

        `by` is who acted: the official's `sub` (the identity provider's, not the token's `name`, which the
        official may edit), or `citizen` or `system`; `name` is only shown."""
        after = {**meta, **step.changes}
        for name in step.removes:
            after.pop(name, None)
        index, unindex = placement.index_keys(
            after, self._inbox_shards(after.get("current_agency") or after["agency"])
        )
        version = meta["version"] + 1
        changes = {**step.changes, **index, "version": version, "updated_at": iso(moment)}
        removes = sorted(set(step.removes) | (set(unindex) - set(index)))
        at = iso_ms(moment)
        entry = {
            **keys.history(meta["id"], at, version),
            "at": at,
            "action": step.action,
            "from_status": meta["status"],
            "to_status": step.to_status.value,
            "note": step.note,
            "agency": agency,
            "by": by,
            "actor": step.detail.get("actor") or "system",
            "official": name or None,  # the display name, for the console; `by` is who acted
            "detail": {k: v for k, v in step.detail.items() if k not in ("stats", "actor")} or None,
        }
        events = [
            Event(
                type=EventType.DOSSIER_STATUS_CHANGED,
                dossier_id=meta["id"],
                occurred_at=moment,
                data={
                    "code": meta["code"],
                    "action": step.action,
                    "from_status": meta["status"],
                    "to_status": step.to_status.value,
                    "agency": after.get("current_agency") or meta["agency"],
                    "receiving_agency": meta["agency"],
                    "procedure_code": meta["procedure_code"],
                    "procedure_name": meta["procedure_name"],
                    "status_label": label(step.to_status.value),
                    "due_at": after.get("due_at"),
                    "version": version,
                    "stats": step.detail.get("stats", []),
                },
            )
        ]
        events += [
            Event(type=kind, dossier_id=meta["id"], occurred_at=moment, data=data)
            for kind, data in step.events
        ]
        try:
            self.store.change(
                meta["id"], meta["version"], meta["status"], changes, removes, entry, events, checks or []
            )
        except TransactionCancelled as err:
            if err.failed_condition(0) or err.conflict:
                raise VersionConflict(
                    "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại rồi thao tác lại."
                ) from err
            raise Conflict("Văn bản kết quả không còn; vui lòng tải lên lại.") from err
        after.update({"version": version, "updated_at": iso(moment), **index})
        return after, entry

    def result_upload(
        self, official: Official, code: str, file_name: str, content_type: str, size: int
    ) -> dict[str, Any]:
        official.require(Role.HANDLER, Role.RECEIVER, Role.LEADER)
        meta, _ = self._scoped(official, code)
        if Status(meta["status"]) in FINAL:
            raise Conflict("Hồ sơ đã kết thúc; không tải thêm văn bản kết quả.")
        from services.core.text import safe_file_name

        file_id = uuid.uuid4().hex
        extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[content_type]
        key = f"results/{meta['id']}/{file_id}{extension}"
        self.store.put(
            {
                **keys.dossier_part(meta["id"], f"RESULT#{file_id}"),
                "file_id": file_id,
                "key": key,
                "file_name": safe_file_name(file_name),
                "content_type": content_type,
                "size": size,
                "uploaded_by": official.sub,
                "agency": official.agency,
                "created_at": iso_ms(now()),
            }
        )
        grant = self.store.result_upload(key, content_type, size, RESULT_GRANT_SECONDS)
        return {"file_id": file_id, "upload": grant, "expires_in": RESULT_GRANT_SECONDS}

    # -- events from submission and payment --------------------------------------------------------------

    def on_submitted(self, event: Event) -> bool:
        """A submitted dossier enters its agency's inbox (once) and is counted as received."""
        meta = self.store.meta(event.dossier_id)
        if meta is None or not meta.get("code"):
            # the submit and its event are one transaction, so this is not a dossier of ours
            logger.warning("submitted event without a submitted dossier", extra={"event_id": event.id})
            return False
        if not meta.get("placed_at"):
            after = {**meta, "current_agency": meta.get("current_agency") or meta["agency"]}
            index, _ = placement.index_keys(after, self._inbox_shards(after["current_agency"]))
            agency = after["current_agency"]
            self.store.place(
                meta["id"],
                {
                    **index,
                    "current_agency": agency,
                    "placed_at": iso(now()),
                    "current_agency_name": meta["agency_name"],
                    "channel": "online",
                },
            )
        # count the dossier as it was when submitted; later changes carry their own differences
        as_submitted = {
            "received_at": event.data["received_at"],
            "agency": event.data["agency"],
            "procedure_code": event.data["procedure_code"],
            "status": Status.SUBMITTED.value,
            "channel": event.data.get("channel", "online"),
        }
        self._count(event, counting.difference({}, counting.contribution(as_submitted)))
        return True

    def on_dossier_event(self, event: Event) -> None:
        """Everything on the dossier-events queue: submissions, citizens' requests, counters."""
        if event.type == EventType.DOSSIER_SUBMITTED:
            self.on_submitted(event)
        elif event.type == EventType.SUPPLEMENT_SUBMITTED:
            self._apply_event(
                event,
                lambda d, m: workflow.resume_after_supplement(
                    d, int(event.data.get("round", 0)), m, self.calendar()
                ),
            )
        elif event.type == EventType.WITHDRAWAL_REQUESTED:
            self._apply_event(event, lambda d, m: workflow.withdraw(d, str(event.data.get("reason", "")), m))
        elif event.type == EventType.DOSSIER_STATUS_CHANGED:
            self._count(event, event.data.get("stats", []))

    def on_payment_event(self, event: Event) -> None:
        if event.type == EventType.PAYMENT_CONFIRMED:
            self._apply_event(event, workflow.payment_confirmed)
        elif event.type == EventType.PAYMENT_REFUNDED:
            self._apply_event(event, workflow.payment_refunded)

    def _apply_event(self, event: Event, decide: Callable[[dict[str, Any], datetime], Step | None]) -> None:
        for _ in range(5):  # a concurrent official's action: read again and retry
            meta = self.store.meta(event.dossier_id)
            if meta is None:
                return
            step = decide(meta, now())
            if step is None:
                return  # nothing to do, or already done (a redelivered event)
            try:
                self._commit(
                    meta,
                    step,
                    "citizen" if step.detail.get("actor") == "citizen" else "system",
                    meta.get("current_agency") or meta["agency"],
                    now(),
                )
                return
            except VersionConflict:
                continue
        raise RuntimeError("dossier kept changing; the event will be retried")

    def _count(self, event: Event, deltas: list[dict[str, Any]]) -> None:
        if deltas:
            expires = int((now() + timedelta(days=MARKER_DAYS)).timestamp())
            self.store.apply_counts("stats", event.id, deltas, event.dossier_id, expires)

    # -- deadlines -----------------------------------------------------------------------------------

    def sweep(self, lookback_days: int = 7) -> dict[str, int]:
        """Flags dossiers due soon or overdue: reads the alarm index by day, never scans."""
        moment = now()
        flagged = {"due_soon": 0, "overdue": 0}
        for partition in alarms.due(self.settings.table_name, placement.ALARM_KIND, moment, lookback_days):
            meta = self.store.meta(partition.removeprefix("DOSSIER#"))
            step = workflow.flag_deadline(meta, moment) if meta else None
            if meta is None or step is None:
                continue
            try:
                self._commit(meta, step, "system", meta.get("current_agency") or meta["agency"], moment)
                flagged[step.action] += 1
            except VersionConflict:
                continue  # changed meanwhile; the next sweep looks again
        return flagged

    # -- public lookup, feedback, ratings ------------------------------------------------------------

    def public(self, code: str, check: str | None = None, token: str | None = None) -> dict[str, Any]:
        """Anyone learns whether a dossier exists and its status; its record (procedure, agency, dates,
        the applicant's initials) needs the receipt's check code or the dossier's own token, because
        codes are sequential and a guessed one must not tell who applied for what."""
        meta = self._public_meta(code)
        status = {"code": meta["code"], "status": meta["status"], "status_label": label(meta["status"])}
        if not (
            is_valid_check(meta["code"], check, self.settings.lookup_check_key)
            or _holds_token(token, meta.get("token_hash"))
        ):
            return status
        return {
            **status,
            "procedure_name": meta["procedure_name"],
            "agency_name": meta.get("current_agency_name") or meta["agency_name"],
            "received_at": meta.get("received_at"),
            "due_at": meta.get("due_at"),
            "applicant_masked": initials(meta.get("applicant", {}).get("full_name", "")),
        }

    def _public_meta(self, code: str) -> dict[str, Any]:
        dossier_id = self.store.dossier_id(code) if len(code) <= 60 else None
        meta = self.store.meta(dossier_id) if dossier_id else None
        if meta is None or not meta.get("code"):
            raise NotFound(f"Không tìm thấy hồ sơ có mã {code}.")
        return meta

    def rate(self, code: str, token: str, body: RatingRequest) -> dict[str, Any]:
        meta = self._public_meta(code)
        check_access_token(token, meta.get("token_hash"))
        if meta["status"] != Status.RESULT_RETURNED:
            raise Conflict("Chỉ đánh giá được khi hồ sơ đã trả kết quả.")
        moment = iso(now())
        rating = {
            **keys.dossier_part(meta["id"], "RATING"),
            "code": code,
            "score": body.score,
            "comment": body.comment,
            "rated_at": moment,
            "agency": meta.get("current_agency") or meta["agency"],
        }
        try:
            self.store.put(rating, "attribute_not_exists(PK)")
        except ClientError as err:
            if is_condition_failure(err):
                raise Conflict("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.") from err
            raise
        return {"code": code, "score": body.score, "comment": body.comment, "rated_at": moment}

    def create_feedback(self, body: FeedbackRequest) -> dict[str, str]:
        # a petition about no dossier and no procedure goes to the province's oversight agency (the first
        # the structure names): it answers for the province; GENERAL only while the structure names none
        agency = next(iter(self.structure().get("oversight", [])), GENERAL_FEEDBACK)
        if body.dossier_code:
            dossier_id = self.store.dossier_id(body.dossier_code)
            meta = self.store.meta(dossier_id) if dossier_id else None
            if meta is None:
                raise ValidationFailed(
                    "Không tìm thấy hồ sơ được nêu.",
                    errors=[{"field": "dossier_code", "message": "Mã hồ sơ không tồn tại."}],
                )
            agency = meta.get("current_agency") or meta["agency"]
        elif body.procedure_code:
            procedure = self.store.procedure(body.procedure_code)
            if procedure is None:
                raise ValidationFailed(
                    "Không tìm thấy thủ tục được nêu.",
                    errors=[{"field": "procedure_code", "message": "Mã thủ tục không tồn tại."}],
                )
            agency = procedure.agency.code
        feedback_id = uuid.uuid4().hex
        moment = iso_ms(now())
        self.store.put(
            {
                **keys.feedback(feedback_id),
                **keys.open_feedback(agency, moment, feedback_id),
                "id": feedback_id,
                "title": body.title,
                "content": body.content,
                "contact": body.contact,
                "procedure_code": body.procedure_code,
                "dossier_code": body.dossier_code,
                "agency": agency,
                "created_at": moment,
            }
        )
        return {"id": feedback_id}

    def public_feedback(self, limit: int, cursor: str | None) -> dict[str, Any]:
        start = placement.decode_cursor(self.cursors, cursor, "GSI1PK", keys.PUBLIC_FEEDBACK_PARTITION)
        items, last = self.store.index_page("GSI1", keys.PUBLIC_FEEDBACK_PARTITION, limit, start)
        return {
            "items": [self._feedback_view(f) for f in items],
            "next_cursor": placement.encode_cursor(
                self.cursors, last, "GSI1PK", keys.PUBLIC_FEEDBACK_PARTITION
            ),
        }

    def open_feedback(self, official: Official, limit: int, cursor: str | None) -> dict[str, Any]:
        official.require(Role.RECEIVER, Role.HANDLER, Role.LEADER)
        partition = keys.open_feedback_partition(official.agency)
        start = placement.decode_cursor(self.cursors, cursor, "GSI2PK", partition)
        items, last = self.store.index_page("GSI2", partition, limit, start, newest_first=False)
        return {
            "items": [self._feedback_view(f) for f in items],
            "next_cursor": placement.encode_cursor(self.cursors, last, "GSI2PK", partition),
        }

    def answer_feedback(self, official: Official, feedback_id: str, body: FeedbackAnswer) -> dict[str, Any]:
        """One answer per petition, by the agency it was routed to: answering again makes a new version
        of it (every version is kept), and the latest version says whether it is public."""
        official.require(Role.RECEIVER, Role.HANDLER, Role.LEADER)
        found = self.store.get(keys.feedback(feedback_id)) if len(feedback_id) <= 64 else None
        if found is None:
            raise NotFound("Không tìm thấy phản ánh, kiến nghị.")
        self._may_answer(official, found)
        moment = iso_ms(now())
        earlier = _answer_versions(found)
        if len(earlier) >= MAX_ANSWER_VERSIONS:  # the versions live in the petition's item (400 KB at most)
            raise Conflict(
                f"Phản ánh đã được trả lời {len(earlier)} lần; không cập nhật thêm câu trả lời.",
                versions=len(earlier),
            )
        version = {
            "answer": body.answer,
            "public": body.public,
            "agency": official.agency,
            "by": official.sub,
            "at": moment,
        }
        changes: dict[str, Any] = {
            "answer": body.answer,
            "answered_at": moment,
            "answered_by": official.sub,
            "answered_by_agency": official.agency,
            "public": body.public,
            "answers": [*earlier, version],
        }
        removes = ["GSI2PK", "GSI2SK"]
        if body.public:
            changes.update(keys.public_feedback(moment, feedback_id))
        else:
            removes += ["GSI1PK", "GSI1SK"]  # off the public list, whatever an earlier version said
        # two officials answering at once: the second finds the versions it read changed, and reloads (409)
        condition, values = (
            ("attribute_exists(PK) AND size(#answers) = :answers_read", {"answers_read": len(earlier)})
            if "answers" in found
            else ("attribute_exists(PK) AND attribute_not_exists(#answers)", None)
        )
        try:
            self.store.update(keys.feedback(feedback_id), changes, removes, condition, values)
        except ClientError as err:
            if is_condition_failure(err):
                raise Conflict("Phản ánh vừa được trả lời; vui lòng tải lại rồi trả lời lại.") from err
            raise
        after = {**found, **changes}
        for name in removes:
            after.pop(name, None)
        return self._feedback_view(after, versions=True)

    def _may_answer(self, official: Official, found: dict[str, Any]) -> None:
        """Only the agency a petition was routed to answers it (a general one: the oversight agency's
        leaders), and once answered only the agency that answered gives later versions."""
        routed = found["agency"]
        if routed == GENERAL_FEEDBACK:
            if official.agency not in set(self.structure().get("oversight", [])):
                raise Forbidden("Phản ánh chung do cơ quan quản lý chung của tỉnh trả lời.")
        elif routed != official.agency:
            raise Forbidden("Phản ánh này thuộc cơ quan khác.")
        general = not (found.get("procedure_code") or found.get("dossier_code"))
        if general and Role.LEADER not in official.roles:
            raise Forbidden("Phản ánh chung do lãnh đạo trả lời.")
        answered_by = found.get("answered_by_agency")
        if answered_by and answered_by != official.agency:
            raise Forbidden("Phản ánh đã được cơ quan khác trả lời; chỉ cơ quan đó cập nhật câu trả lời.")

    @staticmethod
    def _feedback_view(f: dict[str, Any], versions: bool = False) -> dict[str, Any]:
        view = {
            k: f.get(k)
            for k in (
                "id",
                "title",
                "content",
                "procedure_code",
                "agency",
                "created_at",
                "answer",
                "answered_at",
                "answered_by_agency",
            )
        }
        if versions:  # for the answering official only: who answered is not public
            view["public"] = f.get("public")
            view["answers"] = _answer_versions(f)
        return view

    # -- statistics ---------------------------------------------------------------------------------

    def stats(self, official: Official, start: str, end: str) -> dict[str, Any]:
        official.require(Role.LEADER)
        months = _months(start, end)
        structure = self.structure()
        agencies = {a["code"]: a for a in structure.get("agencies", [])}
        scope = _descendants(official.agency, agencies) | {official.agency}
        oversight = official.agency in set(structure.get("oversight", []))
        prefix = None if oversight or len(scope) > 1 else f"{official.agency}#"
        items = self.store.counts(keys.province_of(official.agency), months, prefix)
        merged: dict[tuple[str, str, str], dict[str, int]] = {}
        for item in items:
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


def _history_view(h: dict[str, Any]) -> dict[str, Any]:
    """A history entry as officials read it: `by` is who acted (an official's `sub`, `citizen` or
    `system`); `official` is the name shown (the token's, which its holder may edit)."""
    view = {k: h.get(k) for k in ("at", "action", "from_status", "to_status", "note", "agency", "detail")}
    return {
        **view,
        "by": h.get("by") or (h.get("actor") if h.get("actor") in ("citizen", "system") else None),
        "actor": h.get("actor"),
        "official": h.get("official"),
    }


def _answer_versions(f: dict[str, Any]) -> list[dict[str, Any]]:
    """Every answer given to a petition, oldest first (one given before versions were kept included)."""
    if "answers" in f:
        return list(f["answers"])
    if not f.get("answer"):
        return []
    return [
        {
            "answer": f["answer"],
            "public": bool(f.get("public", True)),
            "agency": f.get("answered_by_agency"),
            "by": f.get("answered_by"),
            "at": f.get("answered_at"),
        }
    ]


def _holds_token(token: str | None, stored_hash: str | None) -> bool:
    """Whether `token` is the dossier's capability token (constant time; a wrong one is no token)."""
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_access_token(token), stored_hash)


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
