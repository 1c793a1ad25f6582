"""The payment service's items in the table: orders (with the dossier's paid marker and the outbox
events they settle with) and the daily reconciliation reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from services.core import keys
from services.core.dal import aws, ddb
from services.core.dal.outbox import outbox_put
from services.core.dossier import PartConflict
from services.core.events import Event
from services.payment.logic.ports import Settlement


class PaymentStore:
    def __init__(self, table: str):
        self.table = table

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

    def settle(
        self,
        txn_ref: str,
        changes: dict[str, Any],
        *,
        from_status: str,
        marker: dict[str, Any] | None,
        events: Sequence[Event],
        removes: Sequence[str] = (),
    ) -> Settlement:
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
        try:
            ddb.transact(aws.dynamodb(), items)
        except ddb.TransactionCancelled as err:
            if err.conflict:
                return Settlement.BUSY
            if err.failed_condition(0):
                return Settlement.ALREADY_SETTLED
            if marker is not None and err.failed_condition(1):
                return Settlement.DOSSIER_PAID
            raise PartConflict("event") from err  # an outbox event written before
        return Settlement.SETTLED

    def report(self, day: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(TableName=self.table, Key=ddb.key(keys.reconciliation_report(day)))
            .get("Item")
        )
        return ddb.deserialize(item)

    def save_report(self, report: dict[str, Any]) -> None:
        aws.dynamodb().put_item(TableName=self.table, Item=ddb.serialize(report))
