"""What the submission use cases need besides the dossier repository (services.core.repository): the
catalogue's procedure, the agency's daily sequence, the uploads bucket and the verifier's verdict on a
file. `services.submission.dal` implements them on AWS; the unit tests pass in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.core.procedures import Procedure

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class StoredObject:
    """One stored version of a document: its bytes (streamed), ETag and VersionId (None unversioned)."""

    chunks: Iterator[bytes]
    etag: str
    version_id: str | None


class Procedures(Protocol):
    def procedure(self, code: str) -> Procedure | None: ...


class Sequences(Protocol):
    def next_sequence(self, agency: str, yymmdd: str, expires_at: int) -> int:
        """The day's next number for an agency (1, 2, ...), kept until `expires_at`."""
        ...


class FileVerdicts(Protocol):
    def set_file_verdict(self, dossier_id: str, file_id: str, values: dict[str, Any]) -> bool:
        """Records a verdict unless the file was verified meanwhile; False when it was."""
        ...


class Objects(Protocol):
    """The uploads bucket."""

    def presigned_post(self, key: str, content_type: str, size: int, expires: int) -> dict[str, Any]: ...

    def read_object(self, key: str, version_id: str | None = None) -> StoredObject | None: ...

    def delete_object(self, key: str, version_id: str | None = None) -> None: ...

    def purge(self, key: str) -> None:
        """Deletes a document with every version of it."""
        ...

    def keep_only(self, key: str, version_id: str | None, etag: str) -> int | None:
        """Deletes every version but the pinned one; how many, or None when the pinned one is gone."""
        ...

    def tag_kept(self, key: str, version_id: str | None = None) -> None: ...
