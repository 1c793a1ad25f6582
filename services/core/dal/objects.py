"""What every service's dal needs to know of S3 objects: their versions (the evidence pinning of
docs/storage.md) and the short-lived links that serve them."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

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


def get_object(bucket: str, key: str, version_id: str | None = None) -> dict[str, Any] | None:
    """GetObject's answer for one version (the current one without `version_id`), or None if that
    object or version is not there; its `Body` streams the bytes."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id not in NO_VERSION:
        kwargs["VersionId"] = version_id
    try:
        answer: dict[str, Any] = aws.s3().get_object(**kwargs)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in MISSING:
            return None
        raise
    return answer


def download_link(
    bucket: str,
    key: str,
    file_name: str,
    content_type: str,
    seconds: int,
    version_id: str | None = None,
    disposition: Literal["inline", "attachment"] = "attachment",
) -> str:
    """A presigned GET that names the file and its type; with `version_id`, to that version only (a
    later write never shows)."""
    params: dict[str, Any] = {
        "Bucket": bucket,
        "Key": key,
        "ResponseContentType": content_type,
        "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(file_name)}",
    }
    if version_id not in NO_VERSION:
        params["VersionId"] = version_id
    return str(aws.s3().generate_presigned_url("get_object", ExpiresIn=seconds, Params=params))
