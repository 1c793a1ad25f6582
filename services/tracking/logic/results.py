"""Result documents are frozen when they leave the agency that wrote them.

A result's upload grant stays usable until it expires, and the key does not change, so a later write
could replace what the citizen downloads. When a dossier is forwarded, and again when its result is
returned, each result document's current version is pinned on its RESULT# item (SHA-256, ETag and,
in a versioned bucket, the VersionId); links then name that version, and a result whose pinned
version is gone or whose bytes no longer match is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from services.core.clock import iso, now
from services.core.dossier import ResultFile
from services.core.errors import Conflict, ValidationFailed
from services.tracking.logic.ports import ResultObjects

CHANGED = "Văn bản kết quả đã bị thay đổi sau khi được chốt; vui lòng tải lên lại văn bản kết quả."


def digest(chunks: Iterable[bytes]) -> str:
    sha = hashlib.sha256()
    for chunk in chunks:
        sha.update(chunk)
    return sha.hexdigest()


def freeze(
    store: ResultObjects, dossier_id: str, result: ResultFile, clock: Callable[[], datetime] = now
) -> ResultFile:
    """The result with its pinned version: pinned now if it was not before, checked if it was."""
    if result.get("sha256"):
        _check_pinned(store, result)
        return result
    stored = store.result_object(result.key)
    if stored is None:
        raise ValidationFailed(
            "Văn bản kết quả chưa được tải lên.",
            errors=[{"field": "result", "message": "Tải văn bản kết quả lên trước."}],
        )
    values: dict[str, Any] = {"sha256": digest(stored.chunks), "etag": stored.etag, "frozen_at": iso(clock())}
    if stored.version_id:
        values["version_id"] = stored.version_id
    pinned = store.freeze_result(dossier_id, result.file_id, values)
    if not pinned.get("sha256"):  # the item went away meanwhile
        raise Conflict("Văn bản kết quả không còn; vui lòng tải lên lại.")
    frozen = ResultFile.model_validate({k: v for k, v in pinned.items() if k not in ("PK", "SK")})
    if pinned["sha256"] != values["sha256"] or pinned.get("version_id") != values.get("version_id"):
        _check_pinned(store, frozen)  # frozen meanwhile (two officials at once): the first pin stands
    return frozen


def freeze_uploaded(
    store: ResultObjects, dossier_id: str, results: list[ResultFile], clock: Callable[[], datetime] = now
) -> list[ResultFile]:
    """Every result document already uploaded, pinned (a dossier leaves the agency on a forward): the
    dossier's results as they now stand."""
    return [_pinned_if_uploaded(store, dossier_id, result, clock) for result in results]


def _pinned_if_uploaded(
    store: ResultObjects, dossier_id: str, result: ResultFile, clock: Callable[[], datetime]
) -> ResultFile:
    if result.get("sha256"):
        return result
    try:
        return freeze(store, dossier_id, result, clock)
    except ValidationFailed:
        return result  # not uploaded (yet): pinned when it is returned


def _check_pinned(store: ResultObjects, result: ResultFile) -> None:
    version_id = result.get("version_id")
    if version_id:
        etag = store.result_version_etag(result.key, version_id)
        if etag is None or (result.get("etag") and etag != result.get("etag")):
            raise Conflict(CHANGED)
        return
    stored = store.result_object(result.key)  # a bucket without versioning: compare the bytes
    if stored is None or digest(stored.chunks) != result.get("sha256"):
        raise Conflict(CHANGED)
