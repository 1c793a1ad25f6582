"""End-to-end throughput of the local cloud: dossiers per minute from draft to inbox, over HTTP, with
every stage timed, and a profile of the slowest stage run in process."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from tests.factories import pdf_bytes
from tests.http.journeys import checked, draft, in_inbox, procedure, submit, upload, wait_for

STAGES = ("create draft", "presign and upload", "verification", "submit", "inbox")


@dataclass
class Throughput:
    dossiers: int
    workers: int
    seconds: float
    stages_ms: dict[str, float]

    @property
    def per_minute(self) -> float:
        return self.dossiers / self.seconds * 60


def _one(api: httpx.Client, proc: dict[str, Any]) -> dict[str, float]:
    spent: dict[str, float] = {}
    started = time.perf_counter()
    dossier = draft(api, proc)
    spent["create draft"] = time.perf_counter() - started
    ids = []
    mark = time.perf_counter()
    for component in proc["components"]:
        if component["required"]:
            ids.append(upload(api, dossier, component["id"], pdf_bytes()))
    spent["presign and upload"] = time.perf_counter() - mark
    mark = time.perf_counter()
    for file_id in ids:
        checked(api, dossier, file_id)
    spent["verification"] = time.perf_counter() - mark
    mark = time.perf_counter()
    submitted = submit(api, dossier)
    spent["submit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    wait_for(lambda: in_inbox(api, proc["agency"]["code"], submitted["code"]), timeout=60, every=0.1)
    spent["inbox"] = time.perf_counter() - mark
    return spent


def measure(url: str, dossiers: int = 40, workers: int = 4) -> Throughput:
    with httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_connections=workers * 2)) as api:
        proc = procedure(api, "Đăng ký kết hôn")
        _one(api, proc)  # warm every function once
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            runs = list(pool.map(lambda _: _one(api, proc), range(dossiers)))
        elapsed = time.perf_counter() - started
    totals: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        for stage, seconds in run.items():
            totals[stage].append(seconds * 1000)
    return Throughput(dossiers, workers, elapsed, {s: statistics.mean(totals[s]) for s in STAGES})
