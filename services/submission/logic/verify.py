"""The verifier (one stored document at a time) and the keeper (a sent dossier's documents kept).

The first version verified is pinned (ETag, VersionId, SHA-256): a later write to its key, or any
write to a file of a dossier already sent or finished, is removed, never judged, so a grant re-posted
after the fact cannot replace or reject evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.core.clock import iso
from services.core.dossier import DossierFile
from services.core.dossiers import FileStatus
from services.core.observability import logger
from services.core.repository import DossierRepository
from services.submission.logic import sniff
from services.submission.logic.ports import Clock, FileVerdicts, Objects, StoredObject
from services.submission.logic.uploads import OPEN_FOR_FILES, located


def verify_upload(
    key: str,
    etag: str,
    version_id: str | None,
    dossiers: DossierRepository,
    objects: Objects,
    verdicts: FileVerdicts,
    max_bytes: int,
    clock: Clock,
) -> str:
    """Judge one stored document; safe to repeat (a redelivered event changes nothing)."""
    where = located(key)
    if where is None:
        return "ignored"
    dossier_id, file_id = where
    record = dossiers.load(dossier_id)  # META and the file in one read
    found = record.file(file_id) if record is not None else None
    if record is None or found is None or found.key != key:
        objects.purge(key)  # not a key this service handed out
        return "deleted"
    if found.status == FileStatus.VERIFIED:
        return keep_pinned(objects, found)
    if record.status not in OPEN_FOR_FILES or found.submitted:
        objects.purge(key)  # nothing is added to a dossier once it is sent or finished
        return "discarded"
    if found.status != FileStatus.PENDING and found.etag == etag.strip('"'):
        return "unchanged"
    stored = objects.read_object(key, version_id)
    if stored is None:
        return "gone"
    verdict = sniff.verify(stored.chunks, found.content_type, int(found.declared_size or 0), max_bytes)
    if not verdicts.set_file_verdict(dossier_id, file_id, verdict_values(verdict, stored, clock())):
        # another copy of this event, or a write just before this one, pinned the file first
        latest = dossiers.load(dossier_id)
        return keep_pinned(objects, (latest.file(file_id) if latest else None) or found)
    if not verdict.accepted:
        objects.delete_object(key, stored.version_id)
        return "rejected"
    return "verified"


def verdict_values(verdict: sniff.Verdict, stored: StoredObject, moment: datetime) -> dict[str, Any]:
    """The file's fields once judged: the version judged, and why it was refused if it was."""
    values: dict[str, Any] = {"size": verdict.size, "etag": stored.etag, "verified_at": iso(moment)}
    if stored.version_id:
        values["version_id"] = stored.version_id
    if verdict.accepted:
        values.update({"status": FileStatus.VERIFIED.value, "sha256": verdict.sha256, "reason": ""})
    else:
        values.update({"status": FileStatus.REJECTED.value, "reason": verdict.reason})
    return values


def keep_pinned(objects: Objects, pinned: DossierFile) -> str:
    """A verified file keeps the version it was verified with: later writes to its key are deleted."""
    removed = objects.keep_only(str(pinned.key), pinned.get("version_id"), str(pinned.etag or ""))
    if removed is None:
        # without bucket versioning a later write replaced the bytes: the record keeps the hash of
        # the verified ones, so the difference shows, but the bytes cannot be brought back
        logger.error("pinned document cannot be restored", extra={"file_id": pinned.file_id})
        return "overwritten"
    return "reverted" if removed else "unchanged"


def keep_documents(dossier_id: str, dossiers: DossierRepository, objects: Objects) -> int:
    """A sent dossier's verified documents stop expiring with abandoned drafts; how many."""
    record = dossiers.load(dossier_id)
    kept = [f for f in (record.files if record else []) if f.status == FileStatus.VERIFIED and f.submitted]
    for found in kept:
        objects.tag_kept(str(found.key), found.get("version_id"))
    return len(kept)
