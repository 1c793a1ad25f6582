"""Catalogue use cases: search from memory, import of national packages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from services.catalog.logic.authority import screen
from services.catalog.logic.search import CatalogIndex, Filters
from services.catalog.logic.tthc import Structure, parse_package
from services.core.cursors import Cursors, InvalidCursor
from services.core.procedures import Procedure, listing_record


class Store(Protocol):
    def stored_agencies(self, codes: Sequence[str]) -> dict[str, str]: ...
    def put_procedures(self, procedures: Sequence[Procedure]) -> None: ...
    def listing_records(self) -> Any: ...
    def read_snapshot(self, etag: str | None = None) -> tuple[list[dict[str, Any]], str] | None: ...
    def write_snapshot(self, records: list[dict[str, Any]]) -> str: ...


@dataclass
class ImportResult:
    imported: int
    updated: int
    rejected: list[dict[str, str]]
    procedures: list[Procedure]


class LiveCatalog:
    """The in-memory index of one container, loaded from the snapshot on first use.

    A warm search makes no AWS call. Every `refresh_seconds` the next search asks S3 whether the
    snapshot changed (a conditional GET that answers 304 when it did not), so an import made by another
    container shows within that window; the container that imports swaps its index at once.
    """

    def __init__(self, store: Store, refresh_seconds: int, clock: Callable[[], float] = time.monotonic):
        self._store = store
        self._refresh = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._index: CatalogIndex | None = None
        self._etag: str | None = None
        self._checked = 0.0

    def index(self) -> CatalogIndex:
        index = self._index
        if index is not None and (self._refresh == 0 or self._clock() - self._checked < self._refresh):
            return index
        with self._lock:
            if self._index is None or self._clock() - self._checked >= self._refresh:
                self._load()
            assert self._index is not None
            return self._index

    def _load(self) -> None:
        snapshot = self._store.read_snapshot(self._etag if self._index is not None else None)
        self._checked = self._clock()
        if snapshot is not None:
            records, self._etag = snapshot
            self._index = CatalogIndex(records)
        elif self._index is None:
            self._index = CatalogIndex([])

    def replace(self, records: list[dict[str, Any]], etag: str) -> None:
        index = CatalogIndex(records)
        with self._lock:
            self._index, self._etag, self._checked = index, etag, self._clock()


def import_package(
    records: Sequence[Any],
    structure: Structure,
    store: Store,
    live: LiveCatalog | None,
    whole_catalogue: bool = False,
    *,
    importer: str | None,
) -> ImportResult:
    """Import national records: valid ones written, bad ones rejected with a reason; search updated.

    `importer` is the catalogue admin's agency: records outside its authority (services/catalog/logic/
    authority.py) are rejected; None only for the operator's seed.
    """
    parsed = parse_package(records, structure)
    codes = [p.code for p in parsed.procedures]
    stored = store.stored_agencies(codes) if codes else {}
    screened = screen(parsed.procedures, stored, importer, structure)
    procedures = screened.allowed
    updated = sum(1 for p in procedures if p.code in stored)
    if procedures:
        store.put_procedures(procedures)
        fresh = {p.code: listing_record(p) for p in procedures}
        rebuild_snapshot(store, live, fresh, read_table=not (whole_catalogue and not stored))
    return ImportResult(
        imported=len(procedures) - updated,
        updated=updated,
        rejected=[*parsed.rejected, *screened.refused],
        procedures=procedures,
    )


def rebuild_snapshot(
    store: Store, live: LiveCatalog | None, fresh: dict[str, dict[str, Any]], read_table: bool = True
) -> None:
    # The table is the truth; the just-written records are laid over it in case the index lags the write.
    # A first import of a whole catalogue into an empty table is its own truth.
    records = {r["code"]: r for r in store.listing_records()} if read_table else {}
    records.update(fresh)
    ordered = sorted(records.values(), key=lambda r: r["code"])
    etag = store.write_snapshot(ordered)
    if live is not None:
        live.replace(ordered, etag)


# -- listing ---------------------------------------------------------------------------------------


SEARCH_CURSOR = "catalog:procedures"
MAX_OFFSET = 1_000_000


def encode_cursor(cursors: Cursors, offset: int) -> str:
    return cursors.issue(SEARCH_CURSOR, {"o": offset})


def decode_cursor(cursors: Cursors, cursor: str | None) -> int:
    state = cursors.read(SEARCH_CURSOR, cursor)
    if state is None:
        return 0
    offset = state.get("o") if isinstance(state, dict) else None
    if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidCursor()
    return offset


def search_page(
    index: CatalogIndex, q: str, filters: Filters, limit: int, cursor: str | None, cursors: Cursors
) -> dict[str, Any]:
    offset = decode_cursor(cursors, cursor)
    result = index.search(q, filters, offset, limit)
    next_offset = offset + len(result.ids)
    more = next_offset < result.total and result.ids
    return {
        "items": [index.docs[i] for i in result.ids],
        "total": result.total,
        "next_cursor": encode_cursor(cursors, next_offset) if more else None,
    }


class DetailCache:
    """Procedure details kept for a few minutes per container: the most viewed procedure would
    otherwise take hundreds of reads a second on one item at national peak (docs/capacity.md)."""

    def __init__(self, seconds: int = 300, size: int = 4096, clock: Callable[[], float] = time.monotonic):
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._items: dict[str, tuple[float, Procedure]] = {}
        self._lock = threading.Lock()

    def get(self, code: str, load: Callable[[str], Procedure | None]) -> Procedure | None:
        found = self._items.get(code)
        if found is not None and self._clock() - found[0] < self._seconds:
            return found[1]
        procedure = load(code)
        if procedure is not None:
            with self._lock:
                if len(self._items) >= self._size:
                    self._items.pop(next(iter(self._items)))
                self._items[code] = (self._clock(), procedure)
        return procedure

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
