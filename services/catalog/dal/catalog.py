"""The catalogue's storage: procedure items in the table, the search snapshot and templates in S3."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from services.core import keys
from services.core.dal import aws, ddb
from services.core.dal.objects import download_link
from services.core.procedures import Procedure, procedure_from_item, procedure_item

SNAPSHOT_KEY = "catalog/snapshot.json.gz"
TEMPLATE_PREFIX = "templates"


class CatalogStore:
    def __init__(self, table: str, bucket: str):
        self.table = table
        self.bucket = bucket

    # -- procedures --------------------------------------------------------------------------------

    def stored_agencies(self, codes: Sequence[str]) -> dict[str, str]:
        """The codes already in the catalogue, each with the agency it is stored under."""
        found: dict[str, str] = {}
        for start in range(0, len(codes), 100):
            request = {
                self.table: {
                    "Keys": [ddb.key(keys.procedure(c)) for c in codes[start : start + 100]],
                    "ProjectionExpression": "PK, #agency",
                    "ExpressionAttributeNames": {"#agency": "agency"},
                }
            }
            while request:
                answer = aws.dynamodb().batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self.table, []):
                    found[item["PK"]["S"].removeprefix("PROC#")] = item.get("agency", {}).get("S", "")
                request = answer.get("UnprocessedKeys") or {}
        return found

    def put_procedures(self, procedures: Sequence[Procedure]) -> None:
        for start in range(0, len(procedures), 25):
            writes = [
                {"PutRequest": {"Item": ddb.serialize(procedure_item(p))}}
                for p in procedures[start : start + 25]
            ]
            self._batch_write(writes)

    def _batch_write(self, writes: list[dict[str, Any]]) -> None:
        pending = {self.table: writes}
        for attempt in range(8):
            answer = aws.dynamodb().batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                return
            time.sleep(min(0.05 * 2**attempt, 2))
        raise RuntimeError("DynamoDB kept items unprocessed after retries")

    def get(self, code: str) -> Procedure | None:
        item = (
            aws.dynamodb()
            .get_item(TableName=self.table, Key=ddb.key(keys.procedure(code)), ProjectionExpression="doc")
            .get("Item")
        )
        return procedure_from_item(item) if item else None

    def listing_records(self) -> Iterator[dict[str, Any]]:
        """Every procedure's listing record (rebuilding the snapshot after an import): GSI1 pages."""
        for item in ddb.all_items(
            aws.dynamodb().query,
            TableName=self.table,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :p",
            ExpressionAttributeValues={":p": {"S": keys.CATALOG_PARTITION}},
            ProjectionExpression="listing",
        ):
            yield json.loads(item["listing"]["S"])

    # -- the search snapshot -----------------------------------------------------------------------

    def read_snapshot(self, etag: str | None = None) -> tuple[list[dict[str, Any]], str] | None:
        """The snapshot and its ETag; None if there is none, or if it still has the given ETag."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": SNAPSHOT_KEY}
        if etag:
            kwargs["IfNoneMatch"] = etag
        try:
            answer = aws.s3().get_object(**kwargs)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code in {"NoSuchKey", "404", "304", "NotModified"}:
                return None
            raise
        records = json.loads(gzip.decompress(answer["Body"].read()))
        return records, answer["ETag"]

    def write_snapshot(self, records: list[dict[str, Any]]) -> str:
        body = gzip.compress(json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode(), 6)
        answer = aws.s3().put_object(
            Bucket=self.bucket,
            Key=SNAPSHOT_KEY,
            Body=body,
            ContentType="application/json",
            ContentEncoding="gzip",
        )
        return str(answer["ETag"])

    # -- form templates ----------------------------------------------------------------------------

    @staticmethod
    def template_key(code: str, form_id: str, file_name: str) -> str:
        return f"{TEMPLATE_PREFIX}/{code}/{form_id}/{file_name}"

    def put_template(self, code: str, form_id: str, file_name: str, body: bytes, content_type: str) -> None:
        aws.s3().put_object(
            Bucket=self.bucket,
            Key=self.template_key(code, form_id, file_name),
            Body=body,
            ContentType=content_type,
        )

    def template_url(self, code: str, form_id: str, file_name: str, content_type: str, expires: int) -> str:
        key = self.template_key(code, form_id, file_name)
        return download_link(self.bucket, key, file_name, content_type, expires)

    def template_exists(self, code: str, form_id: str, file_name: str) -> bool:
        try:
            aws.s3().head_object(Bucket=self.bucket, Key=self.template_key(code, form_id, file_name))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True
