"""The tracking service assembled from its settings: one per container, shared by its functions."""

from functools import cache
from typing import Any

from services.core.dal.calendar_config import working_calendar
from services.core.dal.structure import get_structure
from services.core.settings import load
from services.tracking.dal.store import TrackingStore
from services.tracking.logic.tracking import Tracking
from services.tracking.settings import SyncSettings, TrackingSettings


@cache
def tracking() -> Tracking:
    settings = load(TrackingSettings)
    store = TrackingStore(settings.table_name, settings.uploads_bucket, settings.results_bucket)
    return Tracking(
        store, settings, lambda: working_calendar(settings.table_name), lambda: _structure(settings)
    )


@cache
def sync_states() -> TrackingStore:
    settings = load(SyncSettings)
    return TrackingStore(settings.table_name, settings.uploads_bucket, settings.results_bucket)


@cache
def national_portal() -> Any:
    from services.tracking.dal.national import NationalPortal

    settings = load(SyncSettings)
    return NationalPortal(settings.national_portal_url, settings.national_portal_timeout_seconds)


_structure_cache: dict[str, Any] = {}


def _structure(settings: TrackingSettings) -> dict[str, Any]:
    if "value" not in _structure_cache:
        _structure_cache["value"] = get_structure(settings.table_name) or {}
    return _structure_cache["value"]
