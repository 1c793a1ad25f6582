"""Real-shaped API Gateway HTTP API (payload 2.0) events for calling HTTP handlers as Lambda does."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

TEMPLATE = json.loads((Path(__file__).parent / "events" / "apigw-http-request.json").read_text())


def http_event(
    method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    parts = urlsplit(url)
    event = copy.deepcopy(TEMPLATE)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    raw_body = (
        body if isinstance(body, (str, bytes)) or body is None else json.dumps(body, ensure_ascii=False)
    )
    event["rawPath"] = parts.path
    event["rawQueryString"] = urlencode(query) if query else ""
    event["queryStringParameters"] = query or None
    event["requestContext"]["http"].update({"method": method, "path": parts.path})
    event["requestContext"]["requestId"] = uuid.uuid4().hex
    event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    if raw_body is not None:
        data = raw_body.encode() if isinstance(raw_body, str) else raw_body
        event["headers"].setdefault("content-type", "application/json")
        event["headers"]["content-length"] = str(len(data))
        event["body"] = base64.b64encode(data).decode()
        event["isBase64Encoded"] = True
    return event


class Answer:
    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.status = raw["statusCode"]
        self.headers = {k.lower(): v for k, v in raw.get("headers", {}).items()}
        body = raw.get("body") or ""
        self.text = base64.b64decode(body).decode() if raw.get("isBase64Encoded") else body

    def json(self) -> Any:
        return json.loads(self.text)


def call(handler: Any, method: str, url: str, **kwargs: Any) -> Answer:
    from infra.sources import LambdaContext

    return Answer(handler(http_event(method, url, **kwargs), LambdaContext("test")))
