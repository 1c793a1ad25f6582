from pydantic import Field

from services.core.settings import OfficialsSettings


class CatalogSettings(OfficialsSettings):
    forms_bucket: str = Field(min_length=1)
    # how long a container serves its in-memory catalogue before checking the snapshot for an import
    # made elsewhere (the container that imports sees it at once)
    catalog_refresh_seconds: int = Field(default=60, ge=0)
