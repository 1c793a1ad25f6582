"""The embedded DynamoDB answers a Query from its partition only (infra/motofix.py), and still answers
exactly what a walk over the whole table would: after puts, updates that move an item between index
partitions or out of an index, deletes, batch writes and transactions, refused ones included."""

from __future__ import annotations

import random
import uuid

import pytest

from services.core.dal import aws, ddb


def _query(table: str, index: str | None, attribute: str, value: str) -> list[tuple[str, str]]:
    kwargs = {"TableName": table, "KeyConditionExpression": f"{attribute} = :v"}
    if index:
        kwargs["IndexName"] = index
    found = ddb.all_items(aws.dynamodb().query, ExpressionAttributeValues={":v": {"S": value}}, **kwargs)
    return [(i["PK"]["S"], i["SK"]["S"]) for i in found]


def _walk(items: dict[tuple[str, str], dict[str, str]], attribute: str, value: str, sort: str):
    # what DynamoDB returns: the partition's items that have both index keys, by sort key
    chosen = [(k, i) for k, i in items.items() if i.get(attribute) == value and sort in i]
    return [k for k, _ in sorted(chosen, key=lambda entry: (entry[1][sort], entry[0]))]


def test_queries_read_only_their_partition_and_stay_exact(cloud, table):
    rng = random.Random(12)
    run = uuid.uuid4().hex[:8]
    inboxes = [f"MOTOFIX#{run}#{n}" for n in range(3)]
    kept: dict[tuple[str, str], dict[str, str]] = {}
    client = aws.dynamodb()
    for step in range(300):
        if step % 25 == 0:  # queried along the way: the maps must follow every write that comes after
            for inbox in inboxes:
                assert _query(table, "GSI1", "GSI1PK", inbox) == _walk(kept, "GSI1PK", inbox, "GSI1SK")
        key = (f"MOTOFIX#{run}#{rng.randrange(40)}", f"S{rng.randrange(3)}")
        item = {"PK": key[0], "SK": key[1], "GSI1PK": rng.choice(inboxes), "GSI1SK": f"{step:04d}"}
        if rng.random() < 0.3:
            del item["GSI1SK"]  # not in the index: no sort key
        move = rng.random()
        if move < 0.45:
            client.put_item(TableName=table, Item=ddb.serialize(item))
            kept[key] = item
        elif move < 0.7 and key in kept:
            # an update that moves the item to another inbox, or out of every inbox
            target = rng.choice([*inboxes, None])
            op = ddb.update_op(
                table,
                {"PK": key[0], "SK": key[1]},
                {"GSI1PK": target} if target else {},
                remove=[] if target else ["GSI1PK"],
            )["Update"]
            client.update_item(**op)
            if target:
                kept[key]["GSI1PK"] = target
            else:
                kept[key].pop("GSI1PK", None)
        elif move < 0.8:
            client.delete_item(TableName=table, Key=ddb.key({"PK": key[0], "SK": key[1]}))
            kept.pop(key, None)
        elif move < 0.9:
            # a transaction refused by its condition changes nothing
            with pytest.raises(ddb.TransactionCancelled):
                ddb.transact(
                    client,
                    [
                        ddb.put_op(table, {**item, "GSI1PK": inboxes[0]}, "attribute_not_exists(PK)"),
                        ddb.put_op(table, {"PK": "MOTOFIX#absent", "SK": "x"}, "attribute_exists(PK)"),
                    ],
                )
        else:
            ddb.transact(client, [ddb.put_op(table, item)])
            kept[key] = item
    for inbox in inboxes:
        assert _query(table, "GSI1", "GSI1PK", inbox) == _walk(kept, "GSI1PK", inbox, "GSI1SK")
    for n in range(40):
        partition = f"MOTOFIX#{run}#{n}"
        assert _query(table, None, "PK", partition) == sorted(k for k in kept if k[0] == partition)
    # and the answers came from the partition maps, not from moto's walk over the table
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][aws.dynamodb().meta.region_name]
    assert "_partition_maps" in backend.get_table(table).__dict__
