"""The dossier repository on DynamoDB: one consistent Query per dossier, one TransactWriteItems per change.

The only code that turns a refused dossier transaction into a domain error: a failed META condition or
a race is `StaleDossier`, a failed part condition is `PartConflict` naming the part.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.core import keys
from services.core.dal import aws, ddb
from services.core.dal.outbox import outbox_put
from services.core.dossier import (
    Above,
    Below,
    Condition,
    DossierChange,
    DossierRecord,
    Equals,
    Membership,
    Missing,
    NotIn,
    PartConflict,
    PartWrite,
    StaleDossier,
)
from services.core.repository import history_sort_keys, meta_conditions


class DynamoDossierRepository:
    def __init__(self, table: str):
        self.table = table

    def load(self, dossier_id: str, whole: bool = True) -> DossierRecord | None:
        if not dossier_id or len(dossier_id) > 64:
            return None
        if not whole:
            item = (
                aws.dynamodb()
                .get_item(TableName=self.table, Key=ddb.key(keys.dossier(dossier_id)), ConsistentRead=True)
                .get("Item")
            )
            return DossierRecord.from_items([ddb.deserialize(item) or {}]) if item else None
        items = ddb.partition(aws.dynamodb(), self.table, keys.dossier_partition(dossier_id))
        return DossierRecord.from_items(items)

    def load_by_code(self, code: str, whole: bool = True) -> DossierRecord | None:
        dossier_id = self.dossier_id(code) if 0 < len(code) <= 60 else None
        return self.load(dossier_id, whole) if dossier_id else None

    def dossier_id(self, code: str) -> str | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self.table, Key=ddb.key(keys.code_lookup(code)), ProjectionExpression="dossier_id"
            )
            .get("Item")
        )
        return item["dossier_id"]["S"] if item else None

    def commit(self, change: DossierChange) -> None:
        items, names = self._items(change)
        try:
            _write(items)
        except ddb.TransactionCancelled as err:
            if err.conflict or (change.create is None and change.touch_meta and err.failed_condition(0)):
                raise StaleDossier() from err
            failed = next((n for i, n in enumerate(names) if err.failed_condition(i)), None)
            if failed is None:
                raise StaleDossier() from err
            raise PartConflict(failed) from err

    def _items(self, change: DossierChange) -> tuple[list[dict[str, Any]], list[str]]:
        """The transaction's items and, for each, the name a refusal is reported under."""
        items: list[dict[str, Any]] = []
        names: list[str] = []
        if change.create is not None:
            meta = {**change.create, **keys.dossier(change.dossier_id)}
            items.append(ddb.put_op(self.table, meta, "attribute_not_exists(PK)"))
            names.append("dossier")
        elif change.touch_meta:
            condition, values = _expression(["attribute_exists(PK)"], meta_conditions(change))
            items.append(
                ddb.update_op(
                    self.table,
                    keys.dossier(change.dossier_id),
                    change.set,
                    remove=change.remove,
                    add=change.add,
                    condition=condition,
                    condition_values=values,
                )
            )
            names.append("dossier")
        for key, entry in zip(history_sort_keys(change), change.history, strict=True):
            items.append(ddb.put_op(self.table, {**key, **entry.raw()}, "attribute_not_exists(PK)"))
            names.append("history")
        for event in change.events:
            items.append(outbox_put(self.table, event))
            names.append("event")
        for part in change.parts:
            items.append(self._part(change.dossier_id, part))
            key = part.key_for(change.dossier_id)
            names.append(part.sk or ("code" if key["PK"].startswith("CODE#") else key["PK"]))
        return items, names

    def _part(self, dossier_id: str, part: PartWrite) -> dict[str, Any]:
        key = part.key_for(dossier_id)
        guard = (
            "attribute_not_exists(PK)"
            if part.must_be_new
            else "attribute_exists(PK)"
            if part.must_exist
            else None
        )
        if part.delete:
            op: dict[str, Any] = {"TableName": self.table, "Key": ddb.key(key)}
            if guard:
                op["ConditionExpression"] = guard
            return {"Delete": op}
        if part.item is not None:
            return ddb.put_op(self.table, {**key, **part.item}, guard)
        if part.set is not None or part.remove:
            return ddb.update_op(self.table, key, part.set or {}, remove=part.remove, condition=guard)
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": ddb.key(key),
                "ConditionExpression": guard or "attribute_exists(PK)",
            }
        }


def _write(items: Sequence[dict[str, Any]]) -> None:
    """One write alone is a plain call (half the units of a transaction of one); more are one transaction.
    A refused single write is reported like a refused transaction of one item."""
    if len(items) != 1 or "ConditionCheck" in items[0]:
        ddb.transact(aws.dynamodb(), items)
        return
    from botocore.exceptions import ClientError

    (kind, op), *_ = items[0].items()
    call = {"Put": aws.dynamodb().put_item, "Update": aws.dynamodb().update_item}.get(kind)
    try:
        (call or aws.dynamodb().delete_item)(**op)
    except ClientError as err:
        if ddb.is_condition_failure(err):
            raise ddb.TransactionCancelled(["ConditionalCheckFailed"]) from err
        raise


def _expression(clauses: Sequence[str], conditions: Sequence[Condition]) -> tuple[str, dict[str, Any]]:
    """A condition expression over META and its values. Names go through `#name` placeholders that
    `ddb.update_op` declares for `status` and `version`; other fields are plain attribute names."""
    parts = list(clauses)
    values: dict[str, Any] = {}
    for n, condition in enumerate(conditions):
        name = _name(condition.field)
        if isinstance(condition, Equals):
            parts.append(f"{name} = :c{n}")
            values[f"c{n}"] = condition.value
        elif isinstance(condition, Missing):
            parts.append(f"attribute_not_exists({name})")
        elif isinstance(condition, Membership):
            options = []
            for m, option in enumerate(condition.values):
                values[f"c{n}_{m}"] = option
                options.append(f":c{n}_{m}")
            negation = "NOT " if isinstance(condition, NotIn) else ""
            parts.append(f"{negation}{name} IN ({', '.join(options)})")
        elif isinstance(condition, Below):
            parts.append(f"(attribute_not_exists({name}) OR {name} < :c{n})")
            values[f"c{n}"] = condition.limit
        elif isinstance(condition, Above):
            parts.append(f"{name} > :c{n}")
            values[f"c{n}"] = condition.limit
    return " AND ".join(parts), values


def _name(field: str) -> str:
    if field in ("status", "version"):
        return f"#{field}"
    if not field.replace("_", "").isalnum():
        raise ValueError(f"not an attribute name: {field!r}")
    return field
