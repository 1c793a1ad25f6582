"""What every service's dal needs to know of S3 object versions (the evidence pinning of docs/storage.md)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from services.core.dal import aws

# the error codes S3 (and moto) answer for an object or a version that is not there
MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}
NO_VERSION = (None, "", "null")  # a bucket without versioning (or suspended) names no version


def version_etag(bucket: str, key: str, version_id: str) -> str | None:
    """The ETag of one version of an object, or None if that version is gone."""
    try:
        answer = aws.s3().head_object(Bucket=bucket, Key=key, VersionId=version_id)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in MISSING | {"400", "InvalidArgument"}:
            return None
        raise
    return str(answer.get("ETag", "")).strip('"')
