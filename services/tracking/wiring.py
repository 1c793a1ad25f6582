"""The tracking service assembled from its settings: one per container, shared by its functions."""

from __future__ import annotations

from functools import cache
from typing import Any

from services.core.cursors import Cursors
from services.core.dal.alarms import Alarms
from services.core.dal.dossiers import DynamoDossierRepository
from services.core.settings import load
from services.tracking.dal.province import ProvinceConfig
from services.tracking.dal.store import TrackingStore
from services.tracking.logic.actions import Actions
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.commits import StepWriter
from services.tracking.logic.deadlines import Deadlines
from services.tracking.logic.events import Events
from services.tracking.logic.feedback import Feedback
from services.tracking.logic.province_calendar import ProvinceCalendar
from services.tracking.logic.public import Public
from services.tracking.logic.queries import Queries
from services.tracking.logic.reports import Reports
from services.tracking.logic.tracking import Tracking
from services.tracking.settings import SyncSettings, TrackingSettings


@cache
def tracking() -> Tracking:
    settings = load(TrackingSettings)
    table = settings.table_name
    dossiers = DynamoDossierRepository(table)
    store = TrackingStore(table, settings.uploads_bucket, settings.results_bucket)
    province = ProvinceConfig(table)
    agencies = Agencies(lambda: _structure(province))
    writer = StepWriter(dossiers, agencies)
    cursors = Cursors(settings.cursor_key)
    return Tracking(
        queries=Queries(dossiers, store, store, agencies, cursors),
        actions=Actions(dossiers, store, store, agencies, writer, province.working_calendar),
        events=Events(dossiers, store, agencies, writer, province.working_calendar),
        deadlines=Deadlines(dossiers, Alarms(table), writer),
        public=Public(dossiers, settings.lookup_check_key),
        feedback=Feedback(dossiers, store, agencies, cursors),
        reports=Reports(store, agencies),
        calendar=ProvinceCalendar(province, province.structure),
        agencies=agencies,
        settings=settings,
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


def _structure(province: ProvinceConfig) -> dict[str, Any]:
    """Read once per container (tests clear it after writing another structure)."""
    if "value" not in _structure_cache:
        _structure_cache["value"] = province.structure()
    return _structure_cache["value"]
