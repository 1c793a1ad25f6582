"""The alarm index (GSI3): items that must be looked at again at a time — a dossier's deadline, a
payment order's expiry — found by day and shard, never by scanning."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from services.core import keys
from services.core.clock import iso
from services.core.dal import aws, ddb

PARALLEL_QUERIES = 16  # boto3 clients are thread-safe (services.core.dal.aws keeps 50 connections)


class Alarms:
    """The alarm index of one table, handed to the sweeps (the deadline sweep, payment reconciliation)."""

    def __init__(self, table: str):
        self.table = table

    def due(self, kind: str, now: datetime, lookback_days: int = 7) -> list[str]:
        return due(self.table, kind, now, lookback_days)


def due(table: str, kind: str, now: datetime, lookback_days: int = 7) -> list[str]:
    """Partition keys (PK) of the items whose alarm time has come, from `lookback_days` ago to now.

    One Query per day and shard, run in parallel: a sweep costs the slowest query, not their sum."""
    until = iso(now) + "~"
    partitions = [
        keys.alarm_partition(kind, (now + timedelta(days=offset)).date().isoformat(), shard)
        for offset in range(-lookback_days, 1)
        for shard in range(keys.ALARM_SHARDS)
    ]

    def read(partition: str) -> list[str]:
        items = ddb.all_items(
            aws.dynamodb().query,
            TableName=table,
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk AND GSI3SK <= :until",
            ExpressionAttributeValues={":pk": {"S": partition}, ":until": {"S": until}},
        )
        return [item["PK"]["S"] for item in items]

    with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
        return [pk for found in pool.map(read, partitions) for pk in found]
