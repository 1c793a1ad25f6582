"""The national public-service portal's sync endpoint, as the sync worker reaches it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from services.tracking.logic.sync import NationalPortalRefused


class NationalPortal:
    def __init__(self, url: str, timeout_seconds: float):
        self.url = url
        self.timeout = timeout_seconds

    def post(self, payload: dict[str, Any]) -> int:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as err:
            raise NationalPortalRefused(f"national portal answered {err.code}") from err
        except (urllib.error.URLError, TimeoutError) as err:
            raise NationalPortalRefused(f"national portal unreachable: {err}") from err
