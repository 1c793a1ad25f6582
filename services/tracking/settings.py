from pydantic import Field, model_validator

from services.core.lookup import refuse_dev_key
from services.core.settings import DEV_LOOKUP_CHECK_KEY, OfficialsSettings


class TrackingSettings(OfficialsSettings):
    uploads_bucket: str = Field(min_length=1)
    results_bucket: str = Field(min_length=1)
    lookup_check_key: str = Field(
        default=DEV_LOOKUP_CHECK_KEY, min_length=16, description="key of the receipts' lookup check codes"
    )

    @model_validator(mode="after")
    def _refuse_dev_lookup_key(self) -> "TrackingSettings":
        refuse_dev_key(self.lookup_check_key, self.is_local)
        return self


class SyncSettings(TrackingSettings):
    national_portal_url: str = Field(min_length=1, description="endpoint receiving status changes")
    national_portal_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
