"""The administrative structure (tiers and agencies) is configuration data kept in the table.

The seed writes Sóc Trăng's three tiers; a two-tier province writes two. Catalogue import maps the
national package's tier codes with it; tracking lists agencies to forward to.
"""

from __future__ import annotations

import json
from typing import Any

from services.core import keys
from services.core.dal import aws, ddb


def get_structure(table: str) -> dict[str, Any] | None:
    item = aws.dynamodb().get_item(TableName=table, Key=ddb.key(keys.catalog_config("STRUCTURE"))).get("Item")
    return json.loads(item["doc"]["S"]) if item else None


def put_structure(table: str, structure: dict[str, Any]) -> None:
    aws.dynamodb().put_item(
        TableName=table,
        Item=ddb.serialize(
            {**keys.catalog_config("STRUCTURE"), "doc": json.dumps(structure, ensure_ascii=False)}
        ),
    )


def require_oversight(table: str, agency: str) -> None:
    """The oversight check (services.core.auth) against the structure as stored now."""
    from services.core.auth import require_oversight as check

    check(get_structure(table) or {}, agency)
