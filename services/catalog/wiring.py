"""The catalogue service assembled from its settings: one per container (the handlers' only way to its
storage)."""

from __future__ import annotations

from services.catalog.dal.catalog import CatalogStore
from services.catalog.logic.catalog import DetailCache, LiveCatalog
from services.catalog.logic.tthc import Structure
from services.catalog.settings import CatalogSettings
from services.core.dal.structure import get_structure
from services.core.settings import load

settings = load(CatalogSettings)
store = CatalogStore(settings.table_name, settings.forms_bucket)
live = LiveCatalog(store, settings.catalog_refresh_seconds)
details = DetailCache()


def structure() -> Structure:
    """Read at every import, so a change of `parent` or `oversight` applies to the next one."""
    return Structure.from_config(get_structure(settings.table_name))
