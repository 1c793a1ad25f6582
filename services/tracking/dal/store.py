"""Tracking's storage besides the dossiers: inboxes, statistics, feedback, the national-portal sync state,
and the documents' links and result objects."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from services.core import keys
from services.core.dal import aws, ddb
from services.core.dal.objects import NO_VERSION, download_link, get_object, version_etag
from services.core.dal.procedures import get_procedure
from services.core.procedures import Procedure
from services.tracking.logic.ports import Page, StoredResult


@dataclass
class TrackingStore:
    """Every port of logic/ports.py but the alarm index and the calendar; dossiers themselves are read
    and written through the dossier repository (services.core.dal.dossiers)."""

    table: str
    uploads_bucket: str
    results_bucket: str

    # -- inbox -------------------------------------------------------------------------------------

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
        condition = f"{index}PK = :pk" + (f" AND {index}SK < :before" if before else "")
        attribute_values = {":pk": {"S": partition}, **ddb.values(**(values or {}))}
        if before:
            attribute_values[":before"] = {"S": before}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": attribute_values,
            "Limit": limit,
        }
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
            kwargs["ExpressionAttributeNames"] = (
                {"#status": "status"} if "#status" in kwargs["FilterExpression"] else {}
            )
            if not kwargs["ExpressionAttributeNames"]:
                del kwargs["ExpressionAttributeNames"]
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = aws.dynamodb().query(**kwargs)
        return [ddb.deserialize(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")  # type: ignore[misc]

    # -- statistics --------------------------------------------------------------------------------

    def apply_counts(
        self, consumer: str, event_id: str, deltas: Sequence[dict[str, Any]], dossier_id: str, expires_at: int
    ) -> bool:
        """Counters moved once per event: the marker and the increments in one transaction."""
        items = [
            ddb.put_op(
                self.table,
                {**keys.applied(consumer, event_id), "expires_at": expires_at},
                "attribute_not_exists(PK)",
            )
        ]
        grouped: dict[tuple[str, str, str], dict[str, int]] = {}
        for d in deltas:
            bucket = grouped.setdefault((d["agency"], d["procedure"], d["month"]), {})
            bucket[d["field"]] = bucket.get(d["field"], 0) + int(d["delta"])
        for (agency, procedure, month), adds in grouped.items():
            items.append(
                ddb.update_op(
                    self.table,
                    keys.stats(agency, month, procedure, dossier_id),
                    {"agency": agency, "procedure_code": procedure, "month": month},
                    add=adds,
                )
            )
        try:
            ddb.transact(aws.dynamodb(), items)
        except ddb.TransactionCancelled as err:
            if err.failed_condition(0):
                return False  # applied before
            raise
        return True

    def counts(
        self, province: str, months: Sequence[str], agency_prefix: str | None = None
    ) -> list[dict[str, Any]]:
        """Every counter item of the province for the months (all shards, read in parallel)."""

        def read(partition: str) -> list[dict[str, Any]]:
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": {":pk": {"S": partition}},
            }
            if agency_prefix:
                kwargs["KeyConditionExpression"] += " AND begins_with(SK, :agency)"
                kwargs["ExpressionAttributeValues"][":agency"] = {"S": agency_prefix}
            return [ddb.deserialize(i) or {} for i in ddb.all_items(aws.dynamodb().query, **kwargs)]

        partitions = [keys.stats_partition(province, m, s) for m in months for s in range(keys.STATS_SHARDS)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            return [item for items in pool.map(read, partitions) for item in items]

    # -- feedback ----------------------------------------------------------------------------------

    def add_feedback(self, item: dict[str, Any]) -> None:
        aws.dynamodb().put_item(TableName=self.table, Item=ddb.serialize(item))

    def feedback(self, feedback_id: str) -> dict[str, Any] | None:
        return self._get(keys.feedback(feedback_id))

    def record_answer(
        self, feedback_id: str, changes: dict[str, Any], removes: Sequence[str], answers_read: int | None
    ) -> bool:
        condition, values = (
            ("attribute_exists(PK) AND size(#answers) = :answers_read", {"answers_read": answers_read})
            if answers_read is not None
            else ("attribute_exists(PK) AND attribute_not_exists(#answers)", None)
        )
        return self._update(keys.feedback(feedback_id), changes, removes, condition, values)

    def index_page(
        self, index: str, partition: str, limit: int, start: dict[str, Any] | None, newest_first: bool = True
    ) -> Page:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "Limit": limit,
            "ScanIndexForward": not newest_first,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = aws.dynamodb().query(**kwargs)
        return [ddb.deserialize(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")  # type: ignore[misc]

    def procedure(self, code: str) -> Procedure | None:
        return get_procedure(self.table, code)

    # -- the national-portal sync state --------------------------------------------------------------

    def sync_state(self, dossier_id: str) -> dict[str, Any]:
        return self._get(keys.dossier_part(dossier_id, keys.SYNC)) or {}

    def record_sync(self, dossier_id: str, state: dict[str, Any]) -> bool:
        """Records what the portal last heard, unless a newer event was recorded meanwhile."""
        return self._update(
            keys.dossier_part(dossier_id, keys.SYNC),
            state,
            condition="attribute_not_exists(last_event_at) OR last_event_at < :at",
            condition_values={"at": state["last_event_at"]},
        )

    # -- documents ---------------------------------------------------------------------------------

    # officials read the documents in the console's viewer: shown inline, not downloaded

    def document_link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        return download_link(self.uploads_bucket, key, file_name, content_type, seconds, version_id, "inline")

    def result_link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        return download_link(self.results_bucket, key, file_name, content_type, seconds, version_id, "inline")

    def result_upload(self, key: str, content_type: str, size: int, seconds: int) -> dict[str, Any]:
        return dict(
            aws.s3().generate_presigned_post(
                Bucket=self.results_bucket,
                Key=key,
                Fields={"Content-Type": content_type},
                Conditions=[
                    {"bucket": self.results_bucket},
                    {"key": key},
                    {"Content-Type": content_type},
                    ["content-length-range", size, size],
                ],
                ExpiresIn=seconds,
            )
        )

    # -- result documents: frozen when they leave the agency ----------------------------------------

    def result_object(self, key: str, chunk_size: int = 256 * 1024) -> StoredResult | None:
        """The current version of a result document, or None if there is none."""
        answer = get_object(self.results_bucket, key)
        if answer is None:
            return None
        version = answer.get("VersionId")
        return StoredResult(
            answer["Body"].iter_chunks(chunk_size),
            str(answer.get("ETag", "")).strip('"'),
            None if version in NO_VERSION else str(version),
        )

    def result_version_etag(self, key: str, version_id: str) -> str | None:
        """The ETag of one version of a result document, or None if that version is gone."""
        return version_etag(self.results_bucket, key, version_id)

    def freeze_result(self, dossier_id: str, file_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Records a result's pinned version on its item, once: the item as it stands afterwards (with
        the earlier pin if another request froze it first)."""
        key = ddb.key(keys.dossier_part(dossier_id, f"RESULT#{file_id}"))
        try:
            answer = aws.dynamodb().update_item(
                TableName=self.table,
                Key=key,
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(sha256)",
                ExpressionAttributeNames={f"#{k}": k for k in values},
                ExpressionAttributeValues=ddb.values(**values),
                ReturnValues="ALL_NEW",
            )
        except ClientError as err:
            if not ddb.is_condition_failure(err):
                raise
            item = aws.dynamodb().get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
            return ddb.deserialize(item) or {}
        return ddb.deserialize(answer["Attributes"]) or {}

    # -- items by key --------------------------------------------------------------------------------

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return ddb.deserialize(aws.dynamodb().get_item(TableName=self.table, Key=ddb.key(key)).get("Item"))

    def _update(
        self,
        key: dict[str, str],
        changes: dict[str, Any],
        removes: Sequence[str] = (),
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
    ) -> bool:
        """An UpdateItem; False when its condition did not hold (nothing was written)."""
        op = ddb.update_op(
            self.table, key, changes, remove=removes, condition=condition, condition_values=condition_values
        )["Update"]
        try:
            aws.dynamodb().update_item(**op)
        except ClientError as err:
            if ddb.is_condition_failure(err):
                return False
            raise
        return True
