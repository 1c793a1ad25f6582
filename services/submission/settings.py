from pydantic import Field

from services.core.settings import LookupCheckSettings

MIB = 1024 * 1024
# A presigned upload is used at once by the portal; a short life keeps a grant from being re-posted later.
UPLOAD_GRANT_SECONDS = 300


class SubmissionSettings(LookupCheckSettings):
    uploads_bucket: str = Field(min_length=1)
    max_upload_bytes: int = Field(default=10 * MIB, ge=1024, le=100 * MIB)
    max_files_per_dossier: int = Field(default=30, ge=1, le=90)
    max_files_per_component: int = Field(default=5, ge=1, le=20)
    upload_link_seconds: int = Field(default=UPLOAD_GRANT_SECONDS, ge=60, le=900)
    draft_ttl_days: int = Field(default=30, ge=1, le=365)
