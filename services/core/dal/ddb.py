"""The DynamoDB codec and transaction helper shared by every data-access layer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.exceptions import ClientError


@cache
def _codec() -> tuple[Any, Any]:
    # boto3 costs ~150 ms to import; functions that never touch the table should not pay it at cold start
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    if isinstance(value, set):
        return {_from_dynamo(v) for v in value}
    return value


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict to a DynamoDB item; None values are left out, floats become numbers."""
    serializer = _codec()[0]
    return {k: serializer.serialize(_to_dynamo(v)) for k, v in item.items() if v is not None}


def value(v: Any) -> dict[str, Any]:
    return dict(_codec()[0].serialize(_to_dynamo(v)))


def values(**kwargs: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: values(status="X") -> {":status": ...}."""
    return {f":{k}": value(v) for k, v in kwargs.items()}


def deserialize(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    deserializer = _codec()[1]
    return {k: _from_dynamo(deserializer.deserialize(v)) for k, v in item.items()}


def all_items(read: Callable[..., Mapping[str, Any]], **request: Any) -> Iterator[dict[str, Any]]:
    """Every raw item a Query or Scan answers, page after page (`read` is the client's `query` or `scan`)."""
    while True:
        page = read(**request)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def partition(client: Any, table: str, pk: str) -> list[dict[str, Any]]:
    """Every item under one partition key (a dossier and its parts), deserialised, read consistently."""
    request = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": True,
    }
    return [deserialize(item) or {} for item in all_items(client.query, **request)]


def key(k: Mapping[str, str]) -> dict[str, Any]:
    return {"PK": {"S": k["PK"]}, "SK": {"S": k["SK"]}}


_key = key  # for functions whose parameter is named `key`


class TransactionCancelled(Exception):
    """A transaction was refused; `reasons` has one code per item ('None' where it was not the cause)."""

    def __init__(self, reasons: Sequence[str]):
        super().__init__(", ".join(reasons))
        self.reasons = list(reasons)

    def failed_condition(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"

    @property
    def conflict(self) -> bool:
        return "TransactionConflict" in self.reasons


def transact(client: Any, items: Sequence[Mapping[str, Any]], token: str | None = None) -> None:
    """TransactWriteItems; a cancellation becomes TransactionCancelled with its reasons."""
    kwargs: dict[str, Any] = {"TransactItems": list(items)}
    if token:
        kwargs["ClientRequestToken"] = token
    from botocore.exceptions import ClientError

    try:
        client.transact_write_items(**kwargs)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = [r.get("Code", "None") for r in err.response.get("CancellationReasons", [])]
        if not reasons:
            # moto and some SDKs put the reasons only in the message: "... [ConditionalCheckFailed, None]"
            message = err.response.get("Error", {}).get("Message", "")
            if "[" in message:
                reasons = [r.strip() for r in message[message.rfind("[") + 1 : message.rfind("]")].split(",")]
        raise TransactionCancelled(reasons) from err


def is_condition_failure(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def update_op(
    table: str,
    key: Mapping[str, str],
    set_values: Mapping[str, Any] | None = None,
    *,
    condition: str | None = None,
    condition_values: Mapping[str, Any] | None = None,
    remove: Sequence[str] = (),
    add: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A TransactWriteItems Update: SET, ADD and REMOVE by attribute name, with an optional condition.

    The condition may name `#status` and `#version` (reserved words) and any `:value` given in
    `condition_values`.
    """
    set_values = dict(set_values or {})
    add = dict(add or {})
    names = {f"#{k}": k for k in [*set_values, *remove, *add]}
    clauses = []
    if set_values:
        clauses.append("SET " + ", ".join(f"#{k} = :{k}" for k in set_values))
    if add:
        clauses.append("ADD " + ", ".join(f"#{k} :add_{k}" for k in add))
    if remove:
        clauses.append("REMOVE " + ", ".join(f"#{k}" for k in remove))
    update: dict[str, Any] = {
        "TableName": table,
        "Key": _key(key),
        "UpdateExpression": " ".join(clauses),
        "ExpressionAttributeNames": names,
    }
    attribute_values = {
        **values(**set_values),
        **{f":add_{k}": value(v) for k, v in add.items()},
        **values(**dict(condition_values or {})),
    }
    if condition:
        update["ConditionExpression"] = condition
        names.update({f"#{n}": n for n in ("status", "version") if f"#{n}" in condition})
    if attribute_values:
        update["ExpressionAttributeValues"] = attribute_values
    return {"Update": update}


def put_op(table: str, item: Mapping[str, Any], condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": serialize(item)}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}
