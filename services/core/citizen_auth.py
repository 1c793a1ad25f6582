"""The citizen's credential on every service: the dossier's capability token as a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.core.errors import Unauthorized

citizen_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="dossierToken",
    description="Mã truy cập hồ sơ (access_token) trả về khi tạo hồ sơ",
)


def citizen_token(credentials: HTTPAuthorizationCredentials | None = Depends(citizen_bearer)) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Cần mã truy cập của hồ sơ (Authorization: Bearer <access_token>).")
    return credentials.credentials


CitizenToken = Annotated[str, Depends(citizen_token)]
