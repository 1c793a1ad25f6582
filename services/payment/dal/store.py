"""The payment service's storage: orders, the paid marker, deliveries and notices; the gateway's API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from services.core import aws, ddb, keys
from services.core.dal.objects import MISSING, NO_VERSION, version_etag
from services.core.dal.outbox import outbox_put
from services.core.events import Event


class GatewayUnavailable(Exception):
    """The gateway's API could not be reached or answered nonsense: try again later."""


class PaymentStore:
    def __init__(self, table: str, results_bucket: str):
        self.table = table
        self.results_bucket = results_bucket

    def order(self, txn_ref: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(TableName=self.table, Key=ddb.key(keys.payment(txn_ref)), ConsistentRead=True)
            .get("Item")
        )
        return ddb.deserialize(item)

    def orders_of(self, dossier_id: str) -> list[dict[str, Any]]:
        page = aws.dynamodb().query(
            TableName=self.table,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.payment_by_dossier_partition(dossier_id)}},
        )
        return [ddb.deserialize(i) for i in page.get("Items", [])]  # type: ignore[misc]

    def orders_of_day(self, day: str) -> list[dict[str, Any]]:
        return [
            ddb.deserialize(item) or {}
            for shard in range(keys.ALARM_SHARDS)
            for item in ddb.all_items(
                aws.dynamodb().query,
                TableName=self.table,
                IndexName="GSI2",
                KeyConditionExpression="GSI2PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.payment_day_partition(day, shard)}},
            )
        ]

    def dossier(self, dossier_id: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(TableName=self.table, Key=ddb.key(keys.dossier(dossier_id)), ConsistentRead=True)
            .get("Item")
        )
        return ddb.deserialize(item)

    def partition(self, dossier_id: str) -> dict[str, dict[str, Any]]:
        """Every item of a dossier by sort key (META, RESULT#…, DELIVERY, NOTICE#…) in one Query."""
        items = ddb.partition(aws.dynamodb(), self.table, keys.dossier_partition(dossier_id))
        return {item["SK"]: item for item in items}

    def part(self, dossier_id: str, name: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self.table, Key=ddb.key(keys.dossier_part(dossier_id, name)), ConsistentRead=True
            )
            .get("Item")
        )
        return ddb.deserialize(item)

    def report(self, day: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(TableName=self.table, Key=ddb.key(keys.reconciliation_report(day)))
            .get("Item")
        )
        return ddb.deserialize(item)

    def create(self, item: dict[str, Any]) -> bool:
        try:
            aws.dynamodb().put_item(
                TableName=self.table, Item=ddb.serialize(item), ConditionExpression="attribute_not_exists(PK)"
            )
        except ClientError as err:
            if ddb.is_condition_failure(err):
                return False
            raise
        return True

    def put(self, item: dict[str, Any]) -> None:
        aws.dynamodb().put_item(TableName=self.table, Item=ddb.serialize(item))

    def settle(
        self,
        txn_ref: str,
        changes: dict[str, Any],
        *,
        from_status: str,
        marker: dict[str, Any] | None,
        events: Sequence[Event],
        removes: Sequence[str] = (),
    ) -> None:
        """One order's state change, conditional on its state, with the dossier's paid marker (at most
        one PAID order per dossier) and the events, in one transaction."""
        items = [
            ddb.update_op(
                self.table,
                keys.payment(txn_ref),
                changes,
                remove=removes,
                condition="#status = :from",
                condition_values={"from": from_status},
            )
        ]
        if marker is not None:
            items.append(ddb.put_op(self.table, marker, "attribute_not_exists(PK)"))
        items += [outbox_put(self.table, e) for e in events]
        ddb.transact(aws.dynamodb(), items)

    def claim(self, key: dict[str, str], fields: dict[str, Any]) -> bool:
        """Creates a marker once; False if it was there (notices sent once, deliveries made once)."""
        return self.create({**key, **fields})

    def update(self, key: dict[str, str], changes: dict[str, Any]) -> None:
        op = ddb.update_op(self.table, key, changes)["Update"]
        aws.dynamodb().update_item(**op)

    def record_delivery(self, item: dict[str, Any], event: Event) -> bool:
        try:
            ddb.transact(
                aws.dynamodb(),
                [ddb.put_op(self.table, item, "attribute_not_exists(PK)"), outbox_put(self.table, event)],
            )
        except ddb.TransactionCancelled as err:
            if err.failed_condition(0):
                return False
            raise
        return True

    def result_link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        """A short-lived download link; with `version_id`, to that version only."""
        from urllib.parse import quote

        params: dict[str, Any] = {
            "Bucket": self.results_bucket,
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(file_name)}",
        }
        if version_id not in NO_VERSION:
            params["VersionId"] = version_id
        return str(aws.s3().generate_presigned_url("get_object", ExpiresIn=seconds, Params=params))

    def result_version_etag(self, key: str, version_id: str) -> str | None:
        """The ETag of one version of a result document, or None if that version is gone."""
        return version_etag(self.results_bucket, key, version_id)

    def result_sha256(self, key: str) -> str | None:
        """The SHA-256 of a result document's current bytes, or None if there is none."""
        import hashlib

        try:
            answer = aws.s3().get_object(Bucket=self.results_bucket, Key=key)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        digest = hashlib.sha256()
        for chunk in answer["Body"].iter_chunks(256 * 1024):
            digest.update(chunk)
        return digest.hexdigest()

    # -- the gateway's merchant API (querydr, refund) ------------------------------------------------

    @staticmethod
    def call_gateway(url: str, body: dict[str, str], timeout: float) -> dict[str, Any]:
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                payload = json.loads(answer.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as err:
            raise GatewayUnavailable(str(err)) from err
        if not isinstance(payload, dict):
            raise GatewayUnavailable("the gateway answered something other than a JSON object")
        return payload
