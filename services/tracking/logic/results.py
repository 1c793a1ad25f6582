"""Result documents are frozen when they leave the agency that wrote them.

A result's upload grant stays usable until it expires, and the key does not change, so a later write
could replace what the citizen downloads. When a dossier is forwarded, and again when its result is
returned, each result document's current version is pinned on its RESULT# item (SHA-256, ETag and,
in a versioned bucket, the VersionId); links then name that version, and a result whose pinned
version is gone or whose bytes no longer match is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from services.core.clock import iso, now
from services.core.errors import Conflict, ValidationFailed
from services.tracking.dal.store import TrackingStore

CHANGED = "Văn bản kết quả đã bị thay đổi sau khi được chốt; vui lòng tải lên lại văn bản kết quả."


def digest(chunks: Iterable[bytes]) -> str:
    sha = hashlib.sha256()
    for chunk in chunks:
        sha.update(chunk)
    return sha.hexdigest()


def freeze(store: TrackingStore, dossier_id: str, result: dict[str, Any]) -> dict[str, Any]:
    """The result with its pinned version: pinned now if it was not before, checked if it was."""
    if result.get("sha256"):
        _check_pinned(store, result)
        return result
    stored = store.result_object(result["key"])
    if stored is None:
        raise ValidationFailed(
            "Văn bản kết quả chưa được tải lên.",
            errors=[{"field": "result", "message": "Tải văn bản kết quả lên trước."}],
        )
    values: dict[str, Any] = {"sha256": digest(stored.chunks), "etag": stored.etag, "frozen_at": iso(now())}
    if stored.version_id:
        values["version_id"] = stored.version_id
    pinned = store.freeze_result(dossier_id, result["file_id"], values)
    if not pinned.get("sha256"):  # the item went away meanwhile
        raise Conflict("Văn bản kết quả không còn; vui lòng tải lên lại.")
    if pinned["sha256"] != values["sha256"] or pinned.get("version_id") != values.get("version_id"):
        _check_pinned(store, pinned)  # frozen meanwhile (two officials at once): the first pin stands
    return pinned


def freeze_uploaded(
    store: TrackingStore, dossier_id: str, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every result document already uploaded, pinned (a dossier leaves the agency on a forward): the
    dossier's items with those results as they now stand."""
    return [_pinned_if_uploaded(store, dossier_id, item) for item in items]


def _pinned_if_uploaded(store: TrackingStore, dossier_id: str, item: dict[str, Any]) -> dict[str, Any]:
    if not item["SK"].startswith("RESULT#") or item.get("sha256"):
        return item
    try:
        return freeze(store, dossier_id, item)
    except ValidationFailed:
        return item  # not uploaded (yet): pinned when it is returned


def _check_pinned(store: TrackingStore, result: dict[str, Any]) -> None:
    if result.get("version_id"):
        etag = store.result_version_etag(result["key"], result["version_id"])
        if etag is None or (result.get("etag") and etag != result["etag"]):
            raise Conflict(CHANGED)
        return
    stored = store.result_object(result["key"])  # a bucket without versioning: compare the bytes
    if stored is None or digest(stored.chunks) != result.get("sha256"):
        raise Conflict(CHANGED)
