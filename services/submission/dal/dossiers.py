"""What submission keeps in the table besides the dossier's record (services.core.dal.dossiers): the
procedure it reads, the agencies' daily sequences, and the verifier's verdict on a file."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from services.core import keys
from services.core.dal import aws, ddb
from services.core.dal.procedures import get_procedure
from services.core.procedures import Procedure


class DossierStore:
    def __init__(self, table: str):
        self.table = table

    def procedure(self, code: str) -> Procedure | None:
        return get_procedure(self.table, code)

    def next_sequence(self, agency: str, yymmdd: str, expires_at: int) -> int:
        """The day's next number for an agency: one atomic counter per agency and day."""
        answer = aws.dynamodb().update_item(
            TableName=self.table,
            Key=ddb.key(keys.daily_sequence(agency, yymmdd)),
            UpdateExpression="ADD seq :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ExpressionAttributeValues=ddb.values(one=1, ttl=expires_at),
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["seq"]["N"])

    def set_file_verdict(self, dossier_id: str, file_id: str, values: dict[str, Any]) -> bool:
        """Records a verdict unless the file was verified meanwhile (a verified file is pinned for good);
        False when it was. One conditional UpdateItem: the repository's changes condition META only."""
        names = {f"#{k}": k for k in values}
        try:
            aws.dynamodb().update_item(
                TableName=self.table,
                Key=ddb.key(keys.dossier_file(dossier_id, file_id)),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
                ConditionExpression="attribute_exists(PK) AND #status <> :pinned",
                ExpressionAttributeNames={**names, "#status": "status"},
                ExpressionAttributeValues={**ddb.values(**values), **ddb.values(pinned="VERIFIED")},
            )
        except ClientError as err:
            if ddb.is_condition_failure(err):
                return False
            raise
        return True
