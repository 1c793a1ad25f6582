"""Tracking's storage: dossiers (status changes after submission), inboxes, statistics, feedback."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from services.core import aws, ddb, keys
from services.core.events import Event, outbox_put


class TrackingStore:
    def __init__(self, table: str, uploads_bucket: str, results_bucket: str):
        self.table = table
        self.uploads_bucket = uploads_bucket
        self.results_bucket = results_bucket

    # -- dossiers ----------------------------------------------------------------------------------

    def dossier_id(self, code: str) -> str | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self.table, Key=ddb.key(keys.code_lookup(code)), ProjectionExpression="dossier_id"
            )
            .get("Item")
        )
        return item["dossier_id"]["S"] if item else None

    def meta(self, dossier_id: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(TableName=self.table, Key=ddb.key(keys.dossier(dossier_id)), ConsistentRead=True)
            .get("Item")
        )
        return ddb.deserialize(item)

    def partition(self, dossier_id: str) -> list[dict[str, Any]]:
        return ddb.partition(aws.dynamodb(), self.table, keys.dossier_partition(dossier_id))

    def change(
        self,
        dossier_id: str,
        version: int,
        status: str,
        changes: dict[str, Any],
        removes: Sequence[str],
        history: dict[str, Any],
        events: Sequence[Event],
        checks: Sequence[dict[str, str]] = (),
    ) -> None:
        """A status change, its history entry and its events: one transaction, conditional on the version."""
        items = [
            ddb.update_op(
                self.table,
                keys.dossier(dossier_id),
                changes,
                remove=removes,
                condition="#version = :expected AND #status = :current",
                condition_values={"expected": version, "current": status},
            ),
            ddb.put_op(self.table, history, "attribute_not_exists(PK)"),
            *[outbox_put(self.table, e) for e in events],
            *[
                {
                    "ConditionCheck": {
                        "TableName": self.table,
                        "Key": ddb.key(k),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                }
                for k in checks
            ],
        ]
        ddb.transact(aws.dynamodb(), items)

    def place(self, dossier_id: str, changes: dict[str, Any]) -> bool:
        """Puts a submitted dossier in its agency's inbox, once (a redelivered event changes nothing)."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table,
                Key=ddb.key(keys.dossier(dossier_id)),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(placed_at)",
                ExpressionAttributeNames={f"#{k}": k for k in changes},
                ExpressionAttributeValues=ddb.values(**changes),
            )
        except ClientError as err:
            if ddb.is_condition_failure(err):
                return False
            raise
        return True

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
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One Query: a page of an inbox, most urgent first."""
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

    # -- feedback and ratings ----------------------------------------------------------------------

    def put(self, item: dict[str, Any], condition: str | None = None) -> None:
        kwargs: dict[str, Any] = {"TableName": self.table, "Item": ddb.serialize(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
        aws.dynamodb().put_item(**kwargs)

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return ddb.deserialize(aws.dynamodb().get_item(TableName=self.table, Key=ddb.key(key)).get("Item"))

    def update(
        self,
        key: dict[str, str],
        changes: dict[str, Any],
        removes: Sequence[str] = (),
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
    ) -> None:
        op = ddb.update_op(
            self.table, key, changes, remove=removes, condition=condition, condition_values=condition_values
        )["Update"]
        aws.dynamodb().update_item(**op)

    def index_page(
        self, index: str, partition: str, limit: int, start: dict[str, Any] | None, newest_first: bool = True
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
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

    # -- documents ---------------------------------------------------------------------------------

    def download_link(self, bucket: str, key: str, file_name: str, content_type: str, seconds: int) -> str:
        from urllib.parse import quote

        return str(
            aws.s3().generate_presigned_url(
                "get_object",
                ExpiresIn=seconds,
                Params={
                    "Bucket": bucket,
                    "Key": key,
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": f"inline; filename*=UTF-8''{quote(file_name)}",
                },
            )
        )

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

    def object_exists(self, bucket: str, key: str) -> bool:
        try:
            aws.s3().head_object(Bucket=bucket, Key=key)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True
