"""The one way every HTTP function is built: a FastAPI app with problem details, hardening, and a
Mangum entry point for API Gateway's HTTP API.

Routes keep their full public path (`/api/catalog/...`), so the same app answers behind API Gateway
and mounted in the local cloud. The parts, one module each: `http_problems` (problems as answers),
`hardening` (body limits, security headers, the last guard) and `api_docs` (the OpenAPI's problems,
the local Swagger UI page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.types import DecoratedCallable

from services.core.api_docs import SWAGGER_UI_CDN, SWAGGER_UI_DIR, add_docs, document_problems
from services.core.hardening import API_CSP, DEFAULT_BODY_LIMIT, Hardening
from services.core.http_problems import (
    FieldError,
    ProblemModel,
    add_problem_handlers,
    field_errors,
    problem_response,
    validation_problem,
)
from services.core.observability import logger, metrics
from services.core.settings import CoreSettings

# what services and tests import from here, wherever it now lives
__all__ = [
    "API_CSP",
    "DEFAULT_BODY_LIMIT",
    "SWAGGER_UI_CDN",
    "SWAGGER_UI_DIR",
    "FieldError",
    "Hardening",
    "ProblemModel",
    "create_app",
    "field_errors",
    "lambda_handler",
    "problem_response",
    "redirect_route",
    "service_app",
    "validation_problem",
]


def create_app(
    *,
    prefix: str,
    title: str,
    description: str,
    portal_origin: str,
    body_limits: dict[str, int] | None = None,
    version: str = "1.0.0",
    docs: bool = False,
) -> FastAPI:
    """`docs`: serve the Swagger UI page at `{prefix}/docs` (the local stage only; see `add_docs`)."""
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=None,
        redoc_url=None,
        # no OAuth flows here; FastAPI would otherwise serve its redirect page outside the prefix
        swagger_ui_oauth2_redirect_url=None,
    )
    if docs:
        add_docs(app, prefix, title)
    add_problem_handlers(app)

    from starlette.middleware.cors import CORSMiddleware

    app.add_middleware(
        CORSMiddleware,
        allow_origins=[portal_origin.rstrip("/")],
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=3600,
    )
    app.add_middleware(Hardening, body_limits=body_limits)
    document_problems(app)
    return app


def service_app(
    settings: CoreSettings,
    *,
    prefix: str,
    title: str,
    description: str,
    body_limits: dict[str, int] | None = None,
) -> FastAPI:
    """A service's app as its settings configure it: CORS for its portal, the Swagger UI page on the
    local stage only."""
    return create_app(
        prefix=prefix,
        title=title,
        description=description,
        portal_origin=settings.portal_url,
        body_limits=body_limits,
        docs=settings.is_local,
    )


def redirect_route(
    app: FastAPI, path: str, *, summary: str, target: str, **options: Any
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A GET answered with a 302; `target` says where the link leads (the OpenAPI's 302), `options`
    are FastAPI's (more `responses` come after the 302)."""
    responses = {302: {"description": target}, **options.pop("responses", {})}
    return app.get(
        path,
        status_code=302,
        response_class=RedirectResponse,
        summary=summary,
        responses=responses,
        **options,
    )


def lambda_handler(app: FastAPI) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of an HTTP function: API Gateway HTTP API (payload 2.0) through Mangum."""
    from mangum import Mangum

    asgi = Mangum(app, lifespan="off")

    @metrics.log_metrics
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return asgi(event, context)

    return handler
