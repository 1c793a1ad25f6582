"""`make bench`: one table of figures measured in this run on this machine."""

from __future__ import annotations

import os
import platform
import sys
import time

from bench import cloud as bench_cloud
from bench import cold, search
from tests.apigw import call


def main() -> int:
    started = time.perf_counter()
    print(
        f"# make bench  ·  {time.strftime('%Y-%m-%d %H:%M')}  ·  Python {platform.python_version()}  ·  "
        f"{os.cpu_count()} cores  ·  {platform.machine()}\n"
    )
    local = bench_cloud.start(seed=True)
    env = {k: v for k, v in os.environ.items()}

    print("## Cold import (median of 7 fresh interpreters each, alternating with the floor)\n")
    print("| function | module | import ms | floor ms | ratio | goal <= 1.3 |")
    print("|---|---|---:|---:|---:|---|")
    for result in cold.measure(env):
        print(
            f"| {result.function} | `{result.module}` | {result.median_ms:.0f} | {result.floor_ms:.0f} "
            f"| {result.ratio:.2f} | {'met' if result.ratio <= 1.3 else 'MISSED'} |"
        )

    print("\n## Search latency (in process, page of 20, mixed queries x5)\n")
    print("| procedures | queries | index build ms | p50 ms | p99 ms | max ms | goal p99 < 5 ms at 20,000 |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    seed = search.seed_records()
    for size, records in ((len(seed), seed), (20000, search.national_records(seed, 20000))):
        r = search.measure(size, records)
        goal = ("met" if r.p99_ms < 5 else "MISSED") if size >= 20000 else ""
        print(
            f"| {size:,} | {r.queries} | {r.build_ms:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.max_ms:.2f} "
            f"| {goal} |"
        )

    print("\n## AWS calls per operation (moto's recorder)\n")
    print("| operation | calls | of which | goal |")
    print("|---|---:|---|---|")
    from services.catalog.handlers import http as catalog

    recorder = bench_cloud.Recorder(local.options.aws_endpoint)
    with recorder.recording() as first:
        call(catalog.handler, "GET", "/api/catalog/procedures?q=dang%20ky%20ket%20hon")
    _row("catalogue search, cold container", first, 1, "")
    with recorder.recording() as warm:
        for q in search.queries(search.seed_records())[:100]:
            call(catalog.handler, "GET", f"/api/catalog/procedures?q={q}")
    _row("catalogue search, warm (per search, 100 searches)", warm, 100, "0 calls")
    code = catalog.live.index().docs[0]["code"]
    with recorder.recording() as detail:
        call(catalog.handler, "GET", f"/api/catalog/procedures/{code}")
    _row("procedure detail", detail, 1, "")
    local.stop()
    print(f"\n_measured in {time.perf_counter() - started:.0f} s_")
    return 0


def _row(name: str, calls, per: int, goal: str) -> None:
    total = sum(calls.values())
    detail = ", ".join(f"{op} {n / per:g}" for op, n in sorted(calls.items())) or "none"
    verdict = "" if not goal else ("met" if (goal == "0 calls" and total == 0) else "MISSED")
    print(f"| {name} | {total / per:g} | {detail} | {goal} {verdict} |")


if __name__ == "__main__":
    sys.exit(main())
