"""The dossier as one typed record: its META item and the parts kept beside it in its partition.

Submission, tracking and payment all read the `DOSSIER#{id}` partition; they read it through
`DossierRecord.from_items`, the only place that knows which sort key holds which part. A change to a
dossier is a `DossierChange`, committed by a `DossierRepository` (services.core.repository) as one
transaction: field updates, new history entries, parts written, outbox events and the conditions that
must still hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from services.core import keys
from services.core.errors import Conflict, VersionConflict
from services.core.events import Event


class Part(BaseModel):
    """A part of a dossier as stored; attributes this model does not name are kept as they are."""

    model_config = ConfigDict(extra="allow")

    def get(self, name: str, default: Any = None) -> Any:
        value = getattr(self, name, None)
        if value is None:
            value = (self.model_extra or {}).get(name, default)
        return default if value is None else value

    def __getitem__(self, name: str) -> Any:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def raw(self) -> dict[str, Any]:
        """The stored attributes (without None), as the table holds them."""
        return self.model_dump(exclude_none=True)


class DossierFile(Part):
    """A citizen's document (FILE#): PENDING until the verifier reads it, then VERIFIED or REJECTED."""

    file_id: str
    component_id: str | None = None
    key: str | None = None
    file_name: str = ""
    content_type: str = ""
    declared_size: int | None = None
    size: int | None = None
    status: str = "PENDING"
    reason: str | None = None
    sha256: str | None = None
    etag: str | None = None
    created_at: str = ""
    supplement: bool | None = None
    submitted: bool | None = None


At = TypeVar("At")  # a history line's time: ISO text as stored, a datetime as the API reads it


class HistoryFields(BaseModel, Generic[At]):
    """What a line of the audit trail says, as stored (`HistoryEntry`) and as the API lists it
    (services.core.views.HistoryLine): when, what, from which status to which, and where."""

    at: At
    action: str
    from_status: str | None = None
    to_status: str
    note: str | None = None
    agency: str | None = None


class HistoryEntry(Part, HistoryFields[str]):
    """One line of the append-only audit trail (HIST#): who did what, when, from which status to which.

    `by` is the actor's stable identity (an official's `sub`, "citizen" or "system"), never a name the
    actor can edit; `official` keeps the display name for the console."""

    by: str | None = None
    actor: str | None = None
    official: str | None = None
    detail: dict[str, Any] | None = None


class ResultFile(Part):
    """A result document uploaded by an official (RESULT#{file_id})."""

    file_id: str
    key: str = ""
    file_name: str = ""
    content_type: str = ""
    size: int = 0
    created_at: str = ""
    sha256: str | None = None


class Delivery(Part):
    """How the result reached the citizen (DELIVERY), written by payment's delivery worker."""

    method: str | None = None
    result_key: str | None = None


class Rating(Part):
    """The citizen's rating (RATING), once."""

    score: int | None = None


class Content(Part):
    """What the citizen declared (CONTENT): written with the draft and its edits, never by a status
    change. Kept beside META so that the item every action rewrites (and the indexes copy) stays
    small; `applicant_name` stays on META for the inbox."""

    applicant: dict[str, Any] | None = None
    form_data: dict[str, Any] | None = None
    delivery: dict[str, Any] | None = None
    documents: list[dict[str, Any]] | None = None


CONTENT_FIELDS = ("applicant", "form_data", "delivery", "documents")


class SyncState(Part):
    """What the national portal has been told about this dossier (SYNC)."""


class Notice(Part):
    """A notice sent to the citizen on one channel (NOTICE#{channel})."""


# sort key -> part; the prefixes come from keys.py, like every key of the table
_SINGLETONS: dict[str, str] = {
    keys.DELIVERY: "delivery",
    keys.RATING: "rating",
    keys.SYNC: "sync",
    keys.PAID_MARKER: "paid",
    keys.CONTENT: "content",
}


_PART_MODELS: dict[str, type[Part]] = {
    "delivery": Delivery,
    "rating": Rating,
    "sync": SyncState,
    "content": Content,
}


@dataclass
class DossierRecord:
    """A dossier's META item (`meta`, as stored) with its parts, typed."""

    meta: dict[str, Any]
    files: list[DossierFile] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    results: list[ResultFile] = field(default_factory=list)
    notices: dict[str, Notice] = field(default_factory=dict)
    delivery: Delivery | None = None
    rating: Rating | None = None
    sync: SyncState | None = None
    paid: Part | None = None
    content: Content | None = None

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def version(self) -> int:
        return int(self.meta.get("version") or 0)

    @property
    def status(self) -> str:
        return str(self.meta["status"])

    @property
    def current_agency(self) -> str:
        return str(self.meta.get("current_agency") or self.meta["agency"])

    # what the citizen declared: the CONTENT part, or META for dossiers written before it existed
    def declared(self, name: str) -> Any:
        if self.content is not None and getattr(self.content, name, None) is not None:
            return getattr(self.content, name)
        return self.meta.get(name)

    @property
    def applicant(self) -> dict[str, Any]:
        return dict(self.declared("applicant") or {})

    @property
    def form_data(self) -> dict[str, Any]:
        return dict(self.declared("form_data") or {})

    @property
    def delivery_choice(self) -> dict[str, Any]:
        """How the citizen asked to receive the result (not `delivery`, the part payment writes)."""
        return dict(self.declared("delivery") or {})

    @property
    def documents(self) -> list[dict[str, Any]]:
        return list(self.declared("documents") or [])

    @property
    def applicant_name(self) -> str:
        return str(self.meta.get("applicant_name") or self.applicant.get("full_name") or "")

    def file(self, file_id: str) -> DossierFile | None:
        return next((f for f in self.files if f.file_id == file_id), None)

    def result(self, file_id: str) -> ResultFile | None:
        return next((r for r in self.results if r.file_id == file_id), None)

    @classmethod
    def from_items(cls, items: Iterable[Mapping[str, Any]]) -> DossierRecord | None:
        """The record from every item of its partition (any order); None without a META item."""
        record: DossierRecord | None = None
        files: list[DossierFile] = []
        history: list[HistoryEntry] = []
        results: list[ResultFile] = []
        notices: dict[str, Notice] = {}
        singles: dict[str, Part] = {}
        for item in items:
            sk = str(item.get("SK", ""))
            body = {k: v for k, v in item.items() if k not in ("PK", "SK")}
            if sk == keys.META:
                record = cls(meta=dict(item))
            elif sk.startswith(keys.FILE_PREFIX):
                files.append(DossierFile.model_validate(body))
            elif sk.startswith(keys.HISTORY_PREFIX):
                history.append(HistoryEntry.model_validate({**body, "_sk": sk}))
            elif sk.startswith(keys.RESULT_PREFIX):
                results.append(ResultFile.model_validate(body))
            elif sk.startswith(keys.NOTICE_PREFIX):
                notices[sk.removeprefix(keys.NOTICE_PREFIX)] = Notice.model_validate(body)
            elif sk in _SINGLETONS:
                singles[_SINGLETONS[sk]] = _PART_MODELS.get(_SINGLETONS[sk], Part).model_validate(body)
        if record is None:
            return None
        record.files = sorted(files, key=lambda f: f.created_at)
        record.history = sorted(history, key=lambda h: str(h.get("_sk", "")))
        record.results = sorted(results, key=lambda r: r.created_at)
        record.notices = notices
        for name, part in singles.items():
            setattr(record, name, part)
        return record


# -- conditions a change needs to still hold when it is written ----------------------------------------


@dataclass(frozen=True)
class Equals:
    field: str
    value: Any


@dataclass(frozen=True)
class Missing:
    field: str


@dataclass(frozen=True)
class Membership:
    """`field` against a set of `values`: `In` or `NotIn`."""

    field: str
    values: tuple[Any, ...]


class NotIn(Membership):
    """`field` holds none of `values`."""


class In(Membership):
    """`field` holds one of `values`."""


@dataclass(frozen=True)
class Bound:
    """`field` against a number: `Below` or `Above`."""

    field: str
    limit: int


class Below(Bound):
    """`field` is under `limit`, or not there yet (a count that starts at nothing)."""


class Above(Bound):
    """`field` is over `limit`."""


Condition = Equals | Missing | NotIn | In | Below | Above


@dataclass
class PartWrite:
    """An item written beside META in the same transaction: a part of the dossier (`sk`) or another
    item of the table that the change claims (`key`, e.g. the dossier code's lookup), with whether it
    must be new, must exist, or is set field by field."""

    sk: str | None = None
    key: Mapping[str, str] | None = None
    item: dict[str, Any] | None = None  # put the whole item
    set: dict[str, Any] | None = None  # or set these fields
    remove: Sequence[str] = ()
    must_be_new: bool = False
    must_exist: bool = False  # with neither item nor set: only check that the part exists
    delete: bool = False  # delete the item (with must_exist: only if it is there)

    def key_for(self, dossier_id: str) -> dict[str, str]:
        if self.key is not None:
            return dict(self.key)
        return keys.dossier_part(dossier_id, str(self.sk))


@dataclass
class DossierChange:
    """Everything one use case does to a dossier, written at once or not at all."""

    dossier_id: str
    set: dict[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()
    add: dict[str, int] = field(default_factory=dict)
    expected_version: int | None = None
    expected_status: str | None = None
    conditions: Sequence[Condition] = ()
    history: Sequence[HistoryEntry] = ()
    events: Sequence[Event] = ()
    parts: Sequence[PartWrite] = ()
    touch_meta: bool = True  # False: the change writes parts only (a rating, a result upload)
    create: dict[str, Any] | None = None  # a new dossier: its META item, which must not exist yet


class StaleDossier(VersionConflict):
    """A commit that wrote nothing because META no longer matched what the change was decided on
    (version, status or another condition), or another transaction raced it."""

    def __init__(
        self, detail: str = "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại rồi thao tác lại."
    ):
        super().__init__(detail)


class PartConflict(Conflict):
    """A commit that wrote nothing because a part's condition failed: `part` is "code" (the dossier
    code was taken), a part's sort key (it was missing, or already there), or "event" (an outbox id
    that was written before)."""

    def __init__(self, part: str, detail: str = "Hồ sơ vừa thay đổi; vui lòng tải lại trang."):
        super().__init__(detail)
        self.part = part
