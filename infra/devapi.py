"""Developer endpoints of the local cloud (`/local/...`). They exist only here, never on AWS."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

from infra.tokens import mint
from services.core import clock
from services.core.auth import Role

if TYPE_CHECKING:
    from infra.cloud import LocalCloud


class Travel(BaseModel):
    seconds: int = Field(ge=0, le=400 * 24 * 3600)


def create_dev_app(cloud: LocalCloud) -> FastAPI:
    app = FastAPI(
        title="Local cloud (development only)", openapi_url="/local/openapi.json", docs_url="/local/docs"
    )

    @app.get("/local/token")
    def token(
        agency: Annotated[str, Query(min_length=3, max_length=40)],
        role: Annotated[list[Role], Query()],
        sub: str | None = None,
        name: str | None = None,
    ) -> dict[str, str]:
        """An official's token signed with the dev key (the console's dev sign-in page uses it)."""
        o = cloud.options
        return {
            "token": mint(
                agency,
                [r.value for r in role],
                sub=sub,
                name=name,
                issuer=o.officials_issuer,
                audience=o.officials_audience,
            )
        }

    @app.get("/local/structure")
    def structure() -> dict[str, Any]:
        import os

        from services.core.structure import get_structure

        return get_structure(os.environ["TABLE_NAME"]) or {}

    @app.post("/local/schedules/{function}")
    def run_schedule(function: str) -> dict[str, Any]:
        if cloud.scheduler is None or function not in cloud.scheduler.jobs:
            raise HTTPException(404, f"no scheduled function {function}")
        result = cloud.scheduler.run_now(function)
        return {"function": function, "result": result if isinstance(result, (dict, list)) else None}

    @app.post("/local/clock")
    def travel(body: Travel) -> dict[str, str]:
        """Move the services' clock forward (deadlines, payment expiry); the emulator keeps real time."""
        clock.travel(timedelta(seconds=body.seconds))
        return {"now": clock.iso(clock.now())}

    @app.delete("/local/clock")
    def reset_clock() -> dict[str, str]:
        clock.reset_travel()
        return {"now": clock.iso(clock.now())}

    @app.get("/local/status")
    def status() -> dict[str, Any]:
        return {
            "sources": [
                {
                    "name": s.name,
                    "invocations": s.stats.invocations,
                    "records": s.stats.records,
                    "failures": s.stats.failures,
                    "errors": s.stats.errors,
                    "last_error": s.stats.last_error,
                }
                for s in cloud.sources
            ],
            "schedules": sorted(cloud.scheduler.jobs) if cloud.scheduler else [],
            "seed": {k: v for k, v in cloud.seed_report.__dict__.items() if k != "templates_done"}
            if cloud.seed_report
            else None,
        }

    return app
