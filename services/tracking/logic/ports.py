"""What the tracking use cases need besides the dossier repository, as interfaces: `services.tracking.dal`
implements them on DynamoDB and S3, `services.core.dal` the alarm index and the province's calendar;
the unit tests pass in-memory fakes. Refused conditional writes come back as booleans, never as
storage errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from services.core.calendar import WorkingCalendar
from services.core.procedures import Procedure

Clock = Callable[[], datetime]
Structure = Callable[[], dict[str, Any]]  # the administrative structure (tiers, agencies, oversight)
Page = tuple[list[dict[str, Any]], dict[str, Any] | None]  # items and DynamoDB's last key (None: the end)


@dataclass(frozen=True)
class StoredResult:
    """One version of a result document: its bytes (streamed), ETag and VersionId (None unversioned)."""

    chunks: Iterator[bytes]
    etag: str
    version_id: str | None


class InboxPages(Protocol):
    def inbox_page(
        self,
        index: str,
        partition: str,
        *,
        limit: int,
        start: dict[str, Any] | None,
        before: str | None = None,
        filters: Sequence[str] = (),
        values: dict[str, Any] | None = None,
    ) -> Page:
        """One page of an inbox index partition, most urgent first."""
        ...


class Links(Protocol):
    """Short-lived download links; with `version_id`, to that version only."""

    def document_link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str: ...

    def result_link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str: ...


class ResultObjects(Protocol):
    """The result documents' bytes and the pins on their RESULT# items (logic/results.py)."""

    def result_object(self, key: str) -> StoredResult | None: ...

    def result_version_etag(self, key: str, version_id: str) -> str | None: ...

    def freeze_result(self, dossier_id: str, file_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Pins a result once: the item as it stands afterwards ({} if it is gone)."""
        ...

    def result_upload(self, key: str, content_type: str, size: int, seconds: int) -> dict[str, Any]:
        """A presigned POST for exactly this key, type and size."""
        ...


class Counters(Protocol):
    def apply_counts(
        self, consumer: str, event_id: str, deltas: Sequence[dict[str, Any]], dossier_id: str, expires_at: int
    ) -> bool:
        """Moves the counters once per event; False when the event was applied before."""
        ...

    def counts(
        self, province: str, months: Sequence[str], agency_prefix: str | None = None
    ) -> list[dict[str, Any]]: ...


class FeedbackStore(Protocol):
    def add_feedback(self, item: dict[str, Any]) -> None: ...

    def feedback(self, feedback_id: str) -> dict[str, Any] | None: ...

    def record_answer(
        self, feedback_id: str, changes: dict[str, Any], removes: Sequence[str], answers_read: int | None
    ) -> bool:
        """Writes an answer unless the petition's versions changed since they were read (`answers_read`
        of them; None: it had none kept); False when they did."""
        ...

    def index_page(
        self, index: str, partition: str, limit: int, start: dict[str, Any] | None, newest_first: bool = True
    ) -> Page: ...

    def procedure(self, code: str) -> Procedure | None: ...


class AlarmIndex(Protocol):
    def due(self, kind: str, now: datetime, lookback_days: int = 7) -> list[str]:
        """Partition keys of the items whose alarm time has come."""
        ...


class CalendarStore(Protocol):
    """The province's working calendar as configured (services.core.dal.calendar_config)."""

    def working_calendar(self) -> WorkingCalendar: ...

    def days(self) -> dict[str, list[str]]: ...

    def save(self, days_off: list[date], working_days: list[date]) -> None: ...
