"""What an API says about itself: problems documented on every operation of its OpenAPI, and the
Swagger UI page on the local stage."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request

from services.core.errors import PROBLEM_CONTENT_TYPE
from services.core.http_problems import ProblemModel

# The npm package swagger-ui-dist, pinned in package-lock.json: the files the public CDN serves, from disk.
SWAGGER_UI_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
SWAGGER_UI_CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"


def add_docs(app: FastAPI, prefix: str, title: str) -> None:
    """Swagger UI for developers, on the local stage only: on AWS the page would run a third party's script
    on the portal's origin, where citizens' capability tokens live, so deployed stages have no such page.
    Locally its files come from node_modules (`npm ci`), or the CDN when they are not installed."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from starlette.responses import HTMLResponse
    from starlette.staticfiles import StaticFiles

    if (SWAGGER_UI_DIR / "swagger-ui-bundle.js").is_file():
        assets, origin = f"{prefix}/docs/assets", "'self'"
        app.mount(assets, StaticFiles(directory=SWAGGER_UI_DIR), name=f"{prefix}-docs-assets")
    else:
        assets, origin = SWAGGER_UI_CDN, "https://cdn.jsdelivr.net"
    page = get_swagger_ui_html(
        openapi_url=f"{prefix}/openapi.json",
        title=title,
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # it would send the document to swagger.io
    ).body
    # the one inline script (Swagger UI's start-up) is allowed by its hash, nothing else inline
    inline = re.findall(rb"<script>(.*?)</script>", page, re.DOTALL)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in inline)
    csp = (
        f"default-src 'none'; script-src {origin} {hashes}; style-src {origin} 'unsafe-inline'; "
        f"img-src {origin} data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    )

    async def swagger_ui(_: Request) -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    app.add_route(f"{prefix}/docs", swagger_ui, include_in_schema=False)


def document_problems(app: FastAPI) -> None:
    """Every operation answers problems as application/problem+json; say so in the OpenAPI."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = ProblemModel.model_json_schema(ref_template="#/components/schemas/{model}")
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        problem = {"content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                _answer_problems(operation.setdefault("responses", {}), problem)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _answer_problems(responses: dict[str, Any], problem: dict[str, Any]) -> None:
    """One operation's responses: a 4XX and a 5XX problem, and every 4xx it names answering one."""
    responses.pop("422", None)
    for status, description in (
        ("4XX", "Yêu cầu không hợp lệ (problem details)"),
        ("5XX", "Lỗi hệ thống (problem details)"),
    ):
        existing = responses.get(status, {})
        responses[status] = {"description": existing.get("description", description), **problem}
    for status, response in list(responses.items()):
        if status.startswith("4") and status != "4XX":
            response.pop("content", None)
            response.update(problem)
