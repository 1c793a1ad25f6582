"""`/healthz` tells the truth: `starting`, with the seed's progress, until every form template the
catalogue lists can be downloaded; `ok` (200) only then."""

from __future__ import annotations

import asyncio
import json

from infra.cloud import LocalCloud, LocalOptions
from infra.gateway import Gateway
from infra.seeding import SeedReport


def healthz(cloud: LocalCloud) -> tuple[int, dict]:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def nothing() -> None:
        return None

    gateway = Gateway({}, nothing, cloud.health)  # type: ignore[arg-type]
    asyncio.run(gateway({"type": "http", "path": "/healthz"}, nothing, send))  # type: ignore[arg-type]
    return sent[0]["status"], json.loads(sent[1]["body"])


def test_starting_until_the_form_templates_are_all_stored():
    cloud = LocalCloud(LocalOptions())
    assert healthz(cloud) == (503, {"status": "starting"})  # provisioning, seeding
    cloud.seed_report = SeedReport(1801, 0, 0, templates=1505, seconds=2.0, templates_uploaded=40)
    cloud.ready.set()
    status, body = healthz(cloud)
    assert status == 503 and body == {"status": "starting", "seeding": {"form_templates": 40, "of": 1505}}
    cloud.seed_report.templates_uploaded = 1505
    cloud.seed_report.templates_done.set()
    assert healthz(cloud) == (200, {"status": "ok", "aws_endpoint": cloud.options.aws_endpoint})
