"""The submission service's storage: dossier items in the table, documents in the uploads bucket."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from services.core import aws, ddb, keys
from services.core.dal.objects import MISSING, NO_VERSION
from services.core.dal.outbox import outbox_put
from services.core.dal.procedures import get_procedure
from services.core.events import Event
from services.core.procedures import Procedure

UPLOAD_PREFIX = "dossiers"


@dataclass(frozen=True)
class StoredObject:
    """One stored version of a document: its bytes (streamed), ETag and VersionId (None unversioned)."""

    chunks: Iterator[bytes]
    etag: str
    version_id: str | None


def _version(value: Any) -> str | None:
    return None if value in NO_VERSION else str(value)


class DossierStore:
    def __init__(self, table: str, bucket: str):
        self.table = table
        self.bucket = bucket

    # -- reads -------------------------------------------------------------------------------------

    def procedure(self, code: str) -> Procedure | None:
        return get_procedure(self.table, code)

    def meta(self, dossier_id: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(TableName=self.table, Key=ddb.key(keys.dossier(dossier_id)), ConsistentRead=True)
            .get("Item")
        )
        return ddb.deserialize(item)

    def meta_and_calendar(self, dossier_id: str) -> dict[str, Any] | None:
        """The dossier, and the working calendar if this container's copy is stale, in one BatchGetItem."""
        from services.core.dal import calendar_config

        if calendar_config.cached(self.table) is not None:
            return self.meta(dossier_id)
        wanted = [ddb.key(keys.dossier(dossier_id)), calendar_config.calendar_key()]
        answer = aws.dynamodb().batch_get_item(
            RequestItems={self.table: {"Keys": wanted, "ConsistentRead": True}}
        )
        items = answer["Responses"].get(self.table, [])
        for key in answer.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", []):
            found = aws.dynamodb().get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
            if found:
                items.append(found)
        meta = next(
            (i for i in items if i["SK"]["S"] == "META" and i["PK"]["S"].startswith("DOSSIER#")), None
        )
        calendar_config.remember(
            self.table, next((i for i in items if i["PK"]["S"].startswith("CONFIG#")), None)
        )
        return ddb.deserialize(meta)

    def partition(self, dossier_id: str) -> list[dict[str, Any]]:
        """Every item of a dossier (META, FILE#, HIST#, ...) in one Query."""
        return ddb.partition(aws.dynamodb(), self.table, keys.dossier_partition(dossier_id))

    def files(self, dossier_id: str) -> list[dict[str, Any]]:
        page = aws.dynamodb().query(
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :file)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.dossier_partition(dossier_id)},
                ":file": {"S": keys.FILE_PREFIX},
            },
            ConsistentRead=True,
        )
        return [ddb.deserialize(i) for i in page.get("Items", [])]  # type: ignore[misc]

    def file(self, dossier_id: str, file_id: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self.table, Key=ddb.key(keys.dossier_file(dossier_id, file_id)), ConsistentRead=True
            )
            .get("Item")
        )
        return ddb.deserialize(item)

    # -- writes ------------------------------------------------------------------------------------

    def create(self, item: dict[str, Any]) -> None:
        aws.dynamodb().put_item(
            TableName=self.table, Item=ddb.serialize(item), ConditionExpression="attribute_not_exists(PK)"
        )

    def replace_draft(self, dossier_id: str, changes: dict[str, Any], version: int) -> None:
        names = {f"#{k}": k for k in changes}
        sets = ", ".join(f"#{k} = :{k}" for k in changes)
        aws.dynamodb().update_item(
            TableName=self.table,
            Key=ddb.key(keys.dossier(dossier_id)),
            UpdateExpression=f"SET {sets}, version = version + :one",
            ConditionExpression="#status = :draft AND version = :version",
            ExpressionAttributeNames={**names, "#status": "status"},
            ExpressionAttributeValues={
                **ddb.values(**changes),
                **ddb.values(draft="DRAFT", version=version, one=1),
            },
        )

    def add_file(
        self, dossier_id: str, file_item: dict[str, Any], max_files: int, open_statuses: Sequence[str]
    ) -> None:
        """The file's item and the dossier's file count in one transaction; the count caps uploads."""
        ddb.transact(
            aws.dynamodb(),
            [
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": ddb.serialize(file_item),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": ddb.key(keys.dossier(dossier_id)),
                        "UpdateExpression": "SET file_count = if_not_exists(file_count, :zero) + :one",
                        "ConditionExpression": (
                            "#status IN (:s0, :s1) AND "
                            "(attribute_not_exists(file_count) OR file_count < :max)"
                        ),
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": ddb.values(
                            zero=0, one=1, max=max_files, s0=open_statuses[0], s1=open_statuses[-1]
                        ),
                    }
                },
            ],
        )

    def remove_file(self, dossier_id: str, file_id: str, open_statuses: Sequence[str]) -> None:
        ddb.transact(
            aws.dynamodb(),
            [
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": ddb.key(keys.dossier_file(dossier_id, file_id)),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": ddb.key(keys.dossier(dossier_id)),
                        "UpdateExpression": "SET file_count = file_count - :one",
                        "ConditionExpression": "#status IN (:s0, :s1) AND file_count > :zero",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": ddb.values(
                            zero=0, one=1, s0=open_statuses[0], s1=open_statuses[-1]
                        ),
                    }
                },
            ],
        )

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

    def transact(self, items: Sequence[dict[str, Any]]) -> None:
        ddb.transact(aws.dynamodb(), items)

    def update(
        self,
        key: dict[str, str],
        set_values: dict[str, Any],
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
        remove: Sequence[str] = (),
    ) -> dict[str, Any]:
        return ddb.update_op(
            self.table, key, set_values, condition=condition, condition_values=condition_values, remove=remove
        )

    def put(self, item: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
        return ddb.put_op(self.table, item, condition)

    def outbox(self, event: Event) -> dict[str, Any]:
        return outbox_put(self.table, event)

    def set_file_verdict(self, dossier_id: str, file_id: str, values: dict[str, Any]) -> bool:
        """Records a verdict unless the file was verified meanwhile (a verified file is pinned for good);
        False when it was."""
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

    # -- the uploads bucket ------------------------------------------------------------------------

    @staticmethod
    def object_key(dossier_id: str, file_id: str, extension: str) -> str:
        return f"{UPLOAD_PREFIX}/{dossier_id}/{file_id}{extension}"

    def presigned_post(self, key: str, content_type: str, size: int, expires: int) -> dict[str, Any]:
        tagging = "<Tagging><TagSet><Tag><Key>state</Key><Value>draft</Value></Tag></TagSet></Tagging>"
        fields = {"Content-Type": content_type, "tagging": tagging}
        conditions: list[Any] = [
            {"bucket": self.bucket},
            {"key": key},
            {"Content-Type": content_type},
            {"tagging": tagging},
            ["content-length-range", size, size],
        ]
        return dict(
            aws.s3().generate_presigned_post(
                Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires
            )
        )

    def read_object(
        self, key: str, version_id: str | None = None, chunk_size: int = 256 * 1024
    ) -> StoredObject | None:
        """One version of a document (the current one without `version_id`); None if it is not there."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id not in NO_VERSION:
            kwargs["VersionId"] = version_id
        try:
            answer = aws.s3().get_object(**kwargs)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        return StoredObject(
            answer["Body"].iter_chunks(chunk_size),
            str(answer.get("ETag", "")).strip('"'),
            _version(answer.get("VersionId")),
        )

    def delete_object(self, key: str, version_id: str | None = None) -> None:
        """Deletes one version of a document (without versioning, the document)."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id not in NO_VERSION:
            kwargs["VersionId"] = version_id
        aws.s3().delete_object(**kwargs)

    def _versions(self, key: str) -> list[dict[str, Any]]:
        """Every version and delete marker of exactly this key, newest first (a handful at most)."""
        answer = aws.s3().list_object_versions(Bucket=self.bucket, Prefix=key)
        entries = [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]
        found = [e for e in entries if e["Key"] == key]
        return sorted(found, key=lambda e: e["LastModified"], reverse=True)

    def purge(self, key: str) -> None:
        """Deletes a document with every version of it (a versioned bucket would otherwise keep them)."""
        versions = self._versions(key)
        for entry in versions:
            aws.s3().delete_object(Bucket=self.bucket, Key=key, VersionId=entry["VersionId"])
        if not versions:
            aws.s3().delete_object(Bucket=self.bucket, Key=key)

    def keep_only(self, key: str, version_id: str | None, etag: str) -> int | None:
        """Deletes every version of a document written after (or beside) the pinned one, so the pinned
        one is current again; how many were deleted, or None when the pinned version is not there (a
        bucket without versioning keeps only the last write)."""
        versions = self._versions(key)
        if version_id not in NO_VERSION:
            pinned = next((v for v in versions if v["VersionId"] == version_id), None)
        else:  # pinned before versioning: the oldest version with the pinned bytes' ETag
            same = [v for v in versions if str(v.get("ETag", "")).strip('"') == etag]
            pinned = same[-1] if same else None
        if pinned is None:
            return None
        later = [v for v in versions if v["VersionId"] != pinned["VersionId"]]
        for entry in later:
            aws.s3().delete_object(Bucket=self.bucket, Key=key, VersionId=entry["VersionId"])
        return len(later)

    def tag_kept(self, key: str, version_id: str | None = None) -> None:
        """A submitted dossier's document: no longer expired with abandoned drafts."""
        kwargs: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Tagging": {"TagSet": [{"Key": "state", "Value": "submitted"}]},
        }
        if version_id not in NO_VERSION:
            kwargs["VersionId"] = version_id
        try:
            aws.s3().put_object_tagging(**kwargs)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in MISSING:
                raise
