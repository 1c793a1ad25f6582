"""The result documents in S3, as the citizen gets them: a short-lived link, and what proves the
document is the one frozen at return (a version's ETag, or the bytes' SHA-256)."""

from __future__ import annotations

import hashlib

from services.core.dal.objects import download_link, get_object, version_etag


class ResultBucket:
    def __init__(self, bucket: str):
        self.bucket = bucket

    def link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        return download_link(self.bucket, key, file_name, content_type, seconds, version_id)

    def version_etag(self, key: str, version_id: str) -> str | None:
        """The ETag of one version of a result document, or None if that version is gone."""
        return version_etag(self.bucket, key, version_id)

    def sha256(self, key: str) -> str | None:
        """The SHA-256 of a result document's current bytes, or None if there is none."""
        answer = get_object(self.bucket, key)
        if answer is None:
            return None
        digest = hashlib.sha256()
        for chunk in answer["Body"].iter_chunks(256 * 1024):
            digest.update(chunk)
        return digest.hexdigest()
