"""Making the embedded DynamoDB keep DynamoDB's promises (local cloud and tests only; never deployed).

moto 5.x's DynamoDB backend is not safe under concurrent requests, and its TransactWriteItems
deep-copies every table it touches to roll back (the cost grows with the table) and restores that copy
on failure, discarding what other requests wrote meanwhile. Real DynamoDB makes each conditional
write and each transaction atomic and isolated, and the code relies on that (one PAID per order, one
200 and one 409 for two officials acting at once). So here:

- every call into the DynamoDB backend runs under one lock (the local cloud serialises DynamoDB);
- TransactWriteItems checks every condition first, then applies the writes, and on an unexpected
  error restores only the items it touched;
- a Query reads only its partition: moto walks every item of the table for each Query (on the table
  and on a secondary index alike), so the local cloud slowed as it filled. Each global secondary
  index keeps a map from its partition key to the items in it, kept in step with every write.
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
    _index_partitions()
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


# -- a Query reads its partition only -------------------------------------------------------------------


def _index_partitions() -> None:
    """Table.query narrowed to the queried partition; the maps follow Table.put_item, Table.delete_item
    and the backend's in-place update_item (every write path of the backend goes through them)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original_query, original_put, original_delete = Table.query, Table.put_item, Table.delete_item
    original_update = DynamoDBBackend.update_item

    def put_item(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        item = original_put(self, item_attrs, *args, **kwargs)
        _reindex(self, item.hash_key, item.range_key)
        return item

    def delete_item(self: Any, hash_key: Any, range_key: Any) -> Any:
        item = original_delete(self, hash_key, range_key)
        _reindex(self, hash_key, range_key)
        return item

    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        item = original_update(self, table_name, key, *args, **kwargs)
        _reindex(self.get_table(table_name), item.hash_key, item.range_key)
        return item

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        # moto's backend passes (hash_key, range_comparison, range_objs, limit, exclusive_start_key,
        # scan_index_forward, projection_expressions, index_name, ...) by position
        index_name = kwargs.get("index_name", args[7] if len(args) > 7 else None)
        candidates = _partition(self, kwargs.get("hash_key", args[0] if args else None), index_name)
        if candidates is None:
            return original_query(self, *args, **kwargs)
        self.all_items = lambda: candidates  # what moto's query walks: this partition only
        try:
            return original_query(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.put_item = put_item  # type: ignore[method-assign]
    Table.delete_item = delete_item  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]


def _gsi_hash_keys(table: Any) -> dict[str, str]:
    return {
        index.name: next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
        for index in table.global_indexes
    }


def _maps(table: Any) -> tuple[dict[str, dict[Any, dict[Any, None]]], dict[Any, dict[str, Any]]]:
    """Per index, partition value -> the keys of its items (insertion-ordered); per item key, the
    partition value it is filed under in each index. Built from the table on first use."""
    found = table.__dict__.get("_partition_maps")
    if found is None:
        found = ({name: {} for name in _gsi_hash_keys(table)}, {})
        table.__dict__["_partition_maps"] = found
        for item in _every_item(table):
            _file(table, found, item)
    return found


def _every_item(table: Any) -> list[Any]:
    if table.range_key_attr:
        return [item for by_range in table.items.values() for item in by_range.values()]
    return list(table.items.values())


def _file(table: Any, maps: Any, item: Any) -> None:
    by_index, filed = maps
    key = (item.hash_key, item.range_key)
    for name, attribute in _gsi_hash_keys(table).items():
        value = item.attrs.get(attribute)
        if value is not None:
            by_index.setdefault(name, {}).setdefault(value, {})[key] = None
            filed.setdefault(key, {})[name] = value


def _reindex(table: Any, hash_key: Any, range_key: Any) -> None:
    if "_partition_maps" not in table.__dict__:
        return  # built from the items when first queried
    maps = table.__dict__["_partition_maps"]
    by_index, filed = maps
    key = (hash_key, range_key)
    for name, value in filed.pop(key, {}).items():
        by_index.get(name, {}).get(value, {}).pop(key, None)
    current = (
        table.get_item(hash_key, range_key) if range_key is not None or not table.range_key_attr else None
    )
    if current is not None:
        _file(table, maps, current)


def _partition(table: Any, hash_key: Any, index_name: str | None) -> list[Any] | None:
    """The items a Query can match, or None to let moto walk the table (a local secondary index)."""
    if hash_key is None:
        return None
    if not index_name:
        if not table.range_key_attr:
            found = table.items.get(hash_key)
            return [found] if found is not None else []
        return list(table.items.get(hash_key, {}).values())
    if index_name not in _gsi_hash_keys(table):
        return None
    by_index, _ = _maps(table)
    items = []
    for item_hash, item_range in by_index.get(index_name, {}).get(hash_key, {}):
        item = table.get_item(item_hash, item_range)
        if item is not None:
            items.append(item)
    return items
