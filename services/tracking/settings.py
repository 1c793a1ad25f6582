from pydantic import Field

from services.core.settings import LookupCheckSettings, OfficialsSettings


class TrackingSettings(OfficialsSettings, LookupCheckSettings):
    uploads_bucket: str = Field(min_length=1)
    results_bucket: str = Field(min_length=1)


class SyncSettings(TrackingSettings):
    national_portal_url: str = Field(min_length=1, description="endpoint receiving status changes")
    national_portal_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
