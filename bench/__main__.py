"""`make bench`: one table of figures measured in this run on this machine (written to build/bench.json
too, for `make cost`)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from bench import cloud as bench_cloud
from bench import cold, operations, scale, search, throughput

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"submit": 4, "IPN": 4, "official action": 4, "inbox page": 1, "search (warm)": 0}


def main() -> int:
    started = time.perf_counter()
    quick = os.environ.get("BENCH_QUICK") == "1"
    figures: dict[str, object] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
    }
    print(f"# make bench  ·  {figures['measured_at']}  ·  {figures['machine']}\n")
    local = bench_cloud.start(seed=True)
    try:
        _cold(figures, runs=3 if quick else 7)
        scenario = _operations(figures, local, repeats=5 if quick else 15)
        figures["event_path_profile"] = scenario.profile_event_path(6 if quick else 20)
        rows = scale.measure(scenario, scale.sizes(quick), repeats=5 if quick else 20)
        scale.print_rows(rows)
        figures["scale"] = [
            {"dossiers": r.dossiers, "load_seconds": r.load_seconds, **r.figures} for r in rows
        ]
    finally:
        local.stop()
    _search(figures)
    _throughput(figures, dossiers=12 if quick else 40)
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    print(f"\n_measured in {time.perf_counter() - started:.0f} s; figures in {out.relative_to(ROOT)}_")
    return 0


def _cold(figures: dict[str, object], runs: int) -> None:
    print(f"## Cold import (median of {runs} fresh interpreters each, alternating with the floor)\n")
    print(
        "Floors: FastAPI + Mangum + Powertools + one boto3 client (HTTP); "
        "Powertools batch + one boto3 client (workers).\n"
    )
    print("| function | kind | import ms | floor ms | ratio | goal <= 1.3 |")
    print("|---|---|---:|---:|---:|---|")
    rows = []
    for r in cold.measure(dict(os.environ), runs=runs):
        print(
            f"| {r.function} | {r.kind} | {r.median_ms:.0f} | {r.floor_ms:.0f} | {r.ratio:.2f} | "
            f"{'met' if r.ratio <= 1.3 else 'MISSED'} |"
        )
        rows.append({"function": r.function, "kind": r.kind, "ms": r.median_ms, "floor_ms": r.floor_ms})
    figures["cold_imports"] = rows


def _operations(
    figures: dict[str, object], local: bench_cloud.LocalCloud, repeats: int
) -> operations.Scenario:
    print(
        f"\n## Operations in process, as Lambda runs them ({repeats} each; AWS calls from moto's recorder)\n"
    )
    print("| operation | AWS calls | calls by kind | p50 ms | p99 ms | emulator p50 ms | own p50 ms | goal |")
    print("|---|---:|---|---:|---:|---:|---:|---|")
    scenario = operations.Scenario(local)
    results = scenario.run(repeats)
    rows = {}
    for name, measured in results.items():
        s = operations.summarise(measured)
        kinds = ", ".join(f"{op} {n / measured.per:g}" for op, n in sorted(measured.calls.items())) or "none"
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            met = s["calls"] == goal if name == "inbox page" else s["calls"] <= goal
            verdict = f"{'=' if name == 'inbox page' else '<='} {goal}: {'met' if met else 'MISSED'}"
        print(
            f"| {name} | {s['calls']:g} | {kinds} | {s['p50']:.1f} | {s['p99']:.1f} | "
            f"{s['emulator_p50']:.1f} | {s['own_p50']:.1f} | {verdict} |"
        )
        rows[name] = {**s, "by_kind": {op: n / measured.per for op, n in measured.calls.items()}}
    figures["operations"] = rows
    figures["async"] = {
        name: {
            "invocations": m.per,
            "records": m.calls["records"],
            "own_p50": statistics.median(m.own_ms),
            "p50": statistics.median(m.timings_ms),
        }
        for name, m in scenario.async_runs.items()
        if m.timings_ms
    }
    figures["item_sizes"] = scenario.item_sizes()
    print("\nAsynchronous functions during the run (own time excludes the emulator):\n")
    print("| function | invocations | records | p50 ms | own p50 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, row in figures["async"].items():
        print(
            f"| {name} | {row['invocations']} | {row['records']} | {row['p50']:.1f} | {row['own_p50']:.1f} |"
        )
    return scenario


def _search(figures: dict[str, object]) -> None:
    print("\n## Search latency (in process, page of 20, a mix of typed, prefix and colloquial queries x5)\n")
    print("| procedures | queries | index build ms | p50 ms | p99 ms | max ms | goal: p99 < 5 ms at 20,000 |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    seed = search.seed_records()
    rows = []
    for size, records in ((len(seed), seed), (20000, search.national_records(seed, 20000))):
        r = search.measure(size, records)
        goal = ("met" if r.p99_ms < 5 else "MISSED") if size >= 20000 else ""
        print(
            f"| {size:,} | {r.queries} | {r.build_ms:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.max_ms:.2f} "
            f"| {goal} |"
        )
        rows.append(r.__dict__)
    figures["search"] = rows


WHY = {
    "inbox": "It is the event path: the submit's transaction writes the outbox item; the relay reads it from "
    "the table stream and publishes it; the dossier-events consumer receives it from its queue and places "
    "the dossier in the inbox; the official's page then shows it. The hops wait for each other (stream "
    "polling, queue long polling), so the stage is mostly waiting, not work.",
    "verification": "S3 notifies the uploads queue, the verifier receives the message (long polling), reads "
    "the object and records the verdict; the portal polls. Its time is the event path's, not the "
    "verifier's own (`verify upload`).",
    "submit": "One transaction with the dossier, its code, history and event, after a consistent read.",
}


def _throughput(figures: dict[str, object], dossiers: int) -> None:
    from tests.conftest import start_stack, stop_stack

    stack = start_stack("bench-stack")
    try:
        result = throughput.measure(stack.url, dossiers=dossiers, workers=4)
    finally:
        stop_stack(stack)
    print(
        f"\n## End-to-end throughput of the local cloud (HTTP, {result.workers} citizens at once, "
        f"{result.dossiers} dossiers from draft to inbox)\n"
    )
    print(f"**{result.per_minute:.0f} dossiers per minute** ({result.seconds:.1f} s)\n")
    print("| stage | mean ms per dossier |")
    print("|---|---:|")
    for stage, ms in result.stages_ms.items():
        print(f"| {stage} | {ms:.0f} |")
    slowest = max(result.stages_ms, key=lambda s: result.stages_ms[s])
    print(f"\nSlowest stage: **{slowest}**. {WHY.get(slowest, '')}")
    profile = figures.get("event_path_profile")
    if slowest in ("inbox", "verification") and isinstance(profile, dict):
        print(
            f"\nWhere its time goes: {profile['dossiers']} submitted dossiers taken from the table stream to "
            f"the inbox in process under cProfile ({profile['wall_ms']:.0f} ms, "
            f"{profile['wall_ms'] / profile['dossiers']:.0f} ms a dossier):\n"
        )
        print("| where | ms | share |")
        print("|---|---:|---:|")
        total = sum(profile["by_area_ms"].values()) or 1
        for area, ms in profile["by_area_ms"].items():
            print(f"| {area} | {ms:.0f} | {ms / total:.0%} |")
    figures["throughput"] = {
        "per_minute": result.per_minute,
        "stages_ms": result.stages_ms,
        "dossiers": result.dossiers,
        "workers": result.workers,
    }


if __name__ == "__main__":
    sys.exit(main())
