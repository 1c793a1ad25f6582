"""The gateway's merchant API (querydr, refund) over HTTPS: JSON in, JSON out."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from services.payment.logic.ports import GatewayUnavailable


class MerchantApiClient:
    def call(self, url: str, body: dict[str, str], timeout: float) -> dict[str, Any]:
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                payload = json.loads(answer.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as err:
            raise GatewayUnavailable(str(err)) from err
        if not isinstance(payload, dict):
            raise GatewayUnavailable("the gateway answered something other than a JSON object")
        return payload
