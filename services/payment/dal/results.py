"""The result documents in S3, as the citizen gets them: a short-lived link, and what proves the
document is the one frozen at return (a version's ETag, or the bytes' SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from services.core.dal import aws
from services.core.dal.objects import MISSING, NO_VERSION, version_etag


class ResultBucket:
    def __init__(self, bucket: str):
        self.bucket = bucket

    def link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        """A short-lived download link; with `version_id`, to that version only."""
        params: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(file_name)}",
        }
        if version_id not in NO_VERSION:
            params["VersionId"] = version_id
        return str(aws.s3().generate_presigned_url("get_object", ExpiresIn=seconds, Params=params))

    def version_etag(self, key: str, version_id: str) -> str | None:
        """The ETag of one version of a result document, or None if that version is gone."""
        return version_etag(self.bucket, key, version_id)

    def sha256(self, key: str) -> str | None:
        """The SHA-256 of a result document's current bytes, or None if there is none."""
        try:
            answer = aws.s3().get_object(Bucket=self.bucket, Key=key)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        digest = hashlib.sha256()
        for chunk in answer["Body"].iter_chunks(256 * 1024):
            digest.update(chunk)
        return digest.hexdigest()
