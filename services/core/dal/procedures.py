"""Reading a procedure from the table: the one GetItem every service uses for a procedure's record."""

from __future__ import annotations

from services.core import keys
from services.core.dal import aws, ddb
from services.core.procedures import Procedure, procedure_from_item


def get_procedure(table: str, code: str) -> Procedure | None:
    """One GetItem: the whole procedure, or None."""
    found = (
        aws.dynamodb()
        .get_item(TableName=table, Key=ddb.key(keys.procedure(code)), ProjectionExpression="doc")
        .get("Item")
    )
    return procedure_from_item(found) if found else None
