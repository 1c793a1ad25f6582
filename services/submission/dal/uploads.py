"""The uploads bucket: presigned posts for the citizens' documents, and the versions the verifier keeps."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from services.core.dal import aws
from services.core.dal.objects import MISSING, NO_VERSION, get_object
from services.submission.logic.ports import StoredObject


def _version(value: Any) -> str | None:
    return None if value in NO_VERSION else str(value)


class UploadsBucket:
    def __init__(self, bucket: str):
        self.bucket = bucket

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
        answer = get_object(self.bucket, key, version_id)
        if answer is None:
            return None
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
