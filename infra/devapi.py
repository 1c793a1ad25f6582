"""Developer endpoints of the local cloud (`/local/...`). They exist only here, never on AWS."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

from infra.tokens import mint
from services.core import clock
from services.core.auth import Role

if TYPE_CHECKING:
    from infra.cloud import LocalCloud


class Fault(BaseModel):
    function: str = Field(min_length=1, max_length=60)
    fail_next: int = Field(default=0, ge=0, le=1000)
    where: Literal["before", "midway", "after"] = "before"
    probability: float = Field(default=0.0, ge=0, le=1)
    random_where: Literal["before", "midway", "after"] | None = Field(
        default=None, description="where the random faults hit (a random point each time if not given)"
    )


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

        from services.core.dal.structure import get_structure

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

    @app.post("/local/faults")
    def inject(body: Fault) -> dict[str, Any]:
        """Fail the next invocations of a function (or a share of them): the outbox and chaos tests."""
        if body.fail_next:
            cloud.faults.fail_next(body.function, body.fail_next, body.where)
        if "probability" in body.model_fields_set:  # 0 stops the random faults
            cloud.faults.fail_randomly(body.function, body.probability, body.random_where)
        return {"pending": cloud.faults.pending, "injected": dict(cloud.faults.injected)}

    @app.delete("/local/faults")
    def clear_faults() -> dict[str, Any]:
        cloud.faults.clear()
        return {"injected": dict(cloud.faults.injected)}

    @app.get("/local/outbox")
    def outbox() -> Any:
        """The emails and text messages the functions sent (kept by the embedded AWS)."""
        import json
        import urllib.request

        with urllib.request.urlopen(f"{cloud.options.aws_endpoint}/_local/outbox", timeout=5) as answer:
            return json.loads(answer.read())

    @app.get("/local/dlq")
    def dead_letters() -> dict[str, int]:
        """How many messages wait in each dead-letter queue."""
        from services.core.dal import aws

        assert cloud.provisioned
        depth = {}
        for logical, resource in cloud.provisioned.resources.items():
            if logical.endswith("DLQ"):
                attributes = aws.sqs().get_queue_attributes(
                    QueueUrl=resource["Ref"], AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]
                depth[logical] = int(attributes["ApproximateNumberOfMessages"])
        return depth

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
