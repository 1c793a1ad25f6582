"""The dossier repository: load a dossier by id or by code, commit a change as one transaction.

`DossierRepository` is the port every service's logic takes; `services.core.dal.dossiers` is the
DynamoDB adapter and `InMemoryDossierRepository` below the fake, with the same semantics: a change is
written whole or not at all; a failed META condition or a race answers `StaleDossier`; a part that
must be new (a dossier code, an outbox event id, a history entry) or must exist answers
`PartConflict` naming it.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from services.core import keys
from services.core.dossier import (
    Above,
    Below,
    Condition,
    DossierChange,
    DossierRecord,
    Equals,
    In,
    Missing,
    NotIn,
    PartConflict,
    StaleDossier,
)


class DossierRepository(Protocol):
    def load(self, dossier_id: str, whole: bool = True) -> DossierRecord | None:
        """The dossier with every part (`whole`), or its META item only (one GetItem on DynamoDB)."""
        ...

    def load_by_code(self, code: str, whole: bool = True) -> DossierRecord | None: ...

    def commit(self, change: DossierChange) -> None: ...


def history_sort_keys(change: DossierChange) -> list[dict[str, str]]:
    """The keys of a change's history entries: after the time, the version they lead to, so two
    entries written in the same millisecond still sort in the order they happened."""
    base = (change.expected_version or 0) + 1 if change.expected_version is not None else 0
    return [keys.history(change.dossier_id, entry.at, base + n) for n, entry in enumerate(change.history)]


def holds(condition: Condition, item: Mapping[str, Any]) -> bool:
    """Whether a stored META item meets a condition (the in-memory twin of its DynamoDB expression)."""
    if isinstance(condition, Equals):
        return condition.field in item and item[condition.field] == condition.value
    if isinstance(condition, Missing):
        return condition.field not in item
    if isinstance(condition, NotIn):
        return item.get(condition.field) not in condition.values
    if isinstance(condition, In):
        return item.get(condition.field) in condition.values
    if isinstance(condition, Below):
        return condition.field not in item or int(item[condition.field]) < condition.limit
    if isinstance(condition, Above):
        return condition.field in item and int(item[condition.field]) > condition.limit
    raise TypeError(condition)


def meta_conditions(change: DossierChange) -> list[Condition]:
    found: list[Condition] = []
    if change.expected_version is not None:
        found.append(Equals("version", change.expected_version))
    if change.expected_status is not None:
        found.append(Equals("status", change.expected_status))
    return [*found, *change.conditions]


class InMemoryDossierRepository:
    """The repository over a dict of items keyed like the table, for unit tests of the use cases."""

    def __init__(self, items: Iterable[Mapping[str, Any]] = ()):
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        for item in items:
            self.put(item)

    def put(self, item: Mapping[str, Any]) -> None:
        self.items[(str(item["PK"]), str(item["SK"]))] = copy.deepcopy(dict(item))

    def get(self, key: Mapping[str, str]) -> dict[str, Any] | None:
        found = self.items.get((key["PK"], key["SK"]))
        return copy.deepcopy(found) if found is not None else None

    def partition(self, pk: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(item) for (p, _), item in sorted(self.items.items()) if p == pk]

    def load(self, dossier_id: str, whole: bool = True) -> DossierRecord | None:
        items = self.partition(keys.dossier_partition(dossier_id))
        return DossierRecord.from_items(items if whole else [i for i in items if i["SK"] == keys.META])

    def load_by_code(self, code: str, whole: bool = True) -> DossierRecord | None:
        lookup = self.get(keys.code_lookup(code))
        return self.load(str(lookup["dossier_id"]), whole) if lookup else None

    def commit(self, change: DossierChange) -> None:
        with self._lock:
            writes = self._check(change)
            for key, item in writes:
                if item is None:
                    self.items.pop(key, None)
                else:
                    self.items[key] = item

    def _check(self, change: DossierChange) -> list[tuple[tuple[str, str], dict[str, Any] | None]]:
        """Every write of the change, after checking every condition (nothing is written on failure)."""
        writes: list[tuple[tuple[str, str], dict[str, Any] | None]] = []
        meta_key = keys.dossier(change.dossier_id)
        if change.create is not None:
            if (meta_key["PK"], meta_key["SK"]) in self.items:
                raise PartConflict("dossier")
            writes.append(((meta_key["PK"], meta_key["SK"]), _without_none({**change.create, **meta_key})))
        elif change.touch_meta:
            meta = self.items.get((meta_key["PK"], meta_key["SK"]))
            if meta is None or not all(holds(c, meta) for c in meta_conditions(change)):
                raise StaleDossier()
            after = {**copy.deepcopy(meta), **copy.deepcopy(change.set)}
            for name, amount in change.add.items():
                after[name] = int(after.get(name) or 0) + amount
            for name in change.remove:
                after.pop(name, None)
            writes.append(((meta_key["PK"], meta_key["SK"]), _without_none(after)))
        for key, entry in zip(history_sort_keys(change), change.history, strict=True):
            if (key["PK"], key["SK"]) in self.items:
                raise PartConflict("history")
            writes.append(((key["PK"], key["SK"]), {**key, **entry.raw()}))
        for event in change.events:
            key = keys.outbox(event.id)
            if (key["PK"], key["SK"]) in self.items:
                raise PartConflict("event")
            writes.append(
                (
                    (key["PK"], key["SK"]),
                    {**key, "event_type": event.type.value, "event": event.model_dump_json()},
                )
            )
        for part in change.parts:
            key = part.key_for(change.dossier_id)
            name = part.sk or ("code" if key["PK"].startswith("CODE#") else key["PK"])
            existing = self.items.get((key["PK"], key["SK"]))
            if (part.must_be_new and existing is not None) or (part.must_exist and existing is None):
                raise PartConflict(name)
            if part.delete:
                writes.append(((key["PK"], key["SK"]), None))
            elif part.item is not None:
                writes.append(((key["PK"], key["SK"]), _without_none({**key, **copy.deepcopy(part.item)})))
            elif part.set is not None or part.remove:
                after = {**copy.deepcopy(existing or key), **copy.deepcopy(part.set or {})}
                for field_name in part.remove:
                    after.pop(field_name, None)
                writes.append(((key["PK"], key["SK"]), _without_none(after)))
        return writes


def _without_none(item: dict[str, Any]) -> dict[str, Any]:
    # DynamoDB stores no None: the fake keeps the same items the table would
    return {k: v for k, v in item.items() if v is not None}
