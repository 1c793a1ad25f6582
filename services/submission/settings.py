from pydantic import Field

from services.core.settings import CoreSettings

MIB = 1024 * 1024


class SubmissionSettings(CoreSettings):
    uploads_bucket: str = Field(min_length=1)
    max_upload_bytes: int = Field(default=10 * MIB, ge=1024, le=100 * MIB)
    max_files_per_dossier: int = Field(default=30, ge=1, le=90)
    max_files_per_component: int = Field(default=5, ge=1, le=20)
    upload_link_seconds: int = Field(default=600, ge=60, le=3600)
    draft_ttl_days: int = Field(default=30, ge=1, le=365)
