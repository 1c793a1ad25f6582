"""Making the embedded DynamoDB keep DynamoDB's promises (local cloud and tests only; never deployed).

moto 5.x's DynamoDB backend is not safe under concurrent requests, and its TransactWriteItems
deep-copies every table it touches to roll back (the cost grows with the table) and restores that copy
on failure, discarding what other requests wrote meanwhile. Real DynamoDB makes each conditional
write and each transaction atomic and isolated, and the code relies on that (one PAID per order, one
200 and one 409 for two officials acting at once). So here:

- every call into the DynamoDB backend runs under one lock (the local cloud serialises DynamoDB);
- TransactWriteItems checks every condition first, then applies the writes, and on an unexpected
  error restores only the items it touched.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_PATCHED = False
_LOCKED = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "transact_write_items",
    "describe_table",
    "create_table",
    "update_table",
    "delete_table",
    "update_time_to_live",
)


def speed_up_dispatch() -> None:
    """moto's server lists its own package directory on every request to find the service (about 2 ms
    of stat calls each time); the list never changes while it runs, so remember it."""
    from moto import backends

    if getattr(backends.list_of_moto_modules, "_cached", False):
        return
    modules = tuple(backends.list_of_moto_modules())

    def cached() -> tuple[str, ...]:
        return modules

    cached._cached = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = cached  # type: ignore[assignment]


def keep_connections_alive() -> None:
    """werkzeug's development server answers HTTP/1.0 and closes every connection, so each AWS call
    paid for a new TCP connection and a thread; HTTP/1.1 lets botocore's pool reuse them."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    MotoRequestHandler.protocol_version = "HTTP/1.1"


def harden_dynamodb() -> None:
    global _PATCHED
    speed_up_dispatch()
    keep_connections_alive()
    if _PATCHED:
        return
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    for name in _LOCKED:
        original = getattr(DynamoDBBackend, name, None)
        if original is not None:
            setattr(DynamoDBBackend, name, _serialised(original))
    _PATCHED = True


def _serialised(method: Any) -> Any:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return wrapper


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.comparisons import get_filter_expression as condition_of
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        table_name = op["TableName"]
        table = self.get_table(table_name)
        if op_type == "Put":
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        identity = (str(table_name), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        current = self.get_item(table_name, key)
        condition = op.get("ConditionExpression")
        try:
            if condition is not None and not condition_of(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            ).expr(current):
                old = (
                    current.to_json()["Attributes"]
                    if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                    else None
                )
                raise ConditionalCheckFailed(item=old)
            errors.append((None, None, None))
        except ConditionalCheckFailed as failed:
            errors.append(("ConditionalCheckFailed", str(failed.message), None))
        planned.append((op_type, op, table_name, key))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    # every condition holds and nothing else runs meanwhile: apply, keeping what each item was
    before = [
        (table_name, key, copy.deepcopy(self.get_item(table_name, key))) for _, _, table_name, key in planned
    ]
    try:
        for op_type, op, table_name, key in planned:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(table_name, op["Item"])
            elif op_type == "Delete":
                self.delete_item(table_name, key)
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
    except Exception:
        for table_name, key, old in before:
            if old is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, old.to_json()["Attributes"])
        raise
