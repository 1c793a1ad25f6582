"""A stand-in for the National Public Service Portal's status-sync endpoint (local cloud only).

It keeps what it receives (idempotent by event id) so a developer and the tests can see what the
national portal was told, and can refuse the next N posts to exercise the sync worker's retries.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field


class Faults(BaseModel):
    refuse_next: int = Field(default=0, ge=0, le=1000)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Cổng DVC quốc gia (mô phỏng)", openapi_url="/sim/national/openapi.json", docs_url=None
    )
    lock = threading.Lock()
    received: dict[str, dict[str, Any]] = {}
    faults = {"refuse_next": 0}

    @app.post("/sim/national/api/dossiers")
    async def receive(request: Request) -> dict[str, str]:
        body = await request.json()
        with lock:
            if faults["refuse_next"] > 0:
                faults["refuse_next"] -= 1
                raise HTTPException(503, "temporarily unavailable")
            received.setdefault(str(body.get("event_id")), body)
        return {"status": "accepted"}

    @app.get("/sim/national/api/dossiers")
    def listing(code: str | None = None) -> list[dict[str, Any]]:
        with lock:
            found = [r for r in received.values() if code is None or r.get("dossier_code") == code]
        return sorted(found, key=lambda r: str(r.get("occurred_at")))

    @app.post("/sim/national/admin/faults")
    def set_faults(body: Faults) -> dict[str, int]:
        with lock:
            faults["refuse_next"] = body.refuse_next
        return dict(faults)

    return app
