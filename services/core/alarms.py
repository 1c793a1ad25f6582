"""The alarm index (GSI3): items that must be looked at again at a time — a dossier's deadline, a
payment order's expiry — found by day and shard, never by scanning."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.core import aws, keys
from services.core.clock import iso


def due(table: str, kind: str, now: datetime, lookback_days: int = 7) -> list[str]:
    """Partition keys (PK) of the items whose alarm time has come, from `lookback_days` ago to now."""
    until = iso(now) + "~"
    found: list[str] = []
    for offset in range(-lookback_days, 1):
        day = (now + timedelta(days=offset)).date().isoformat()
        for shard in range(keys.ALARM_SHARDS):
            kwargs: dict[str, Any] = {
                "TableName": table,
                "IndexName": "GSI3",
                "KeyConditionExpression": "GSI3PK = :pk AND GSI3SK <= :until",
                "ExpressionAttributeValues": {
                    ":pk": {"S": keys.alarm_partition(kind, day, shard)},
                    ":until": {"S": until},
                },
            }
            while True:
                page = aws.dynamodb().query(**kwargs)
                found += [item["PK"]["S"] for item in page.get("Items", [])]
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found
