"""`make cost`: the AWS bill, from what `make bench` measured (build/bench.json) and a dated price table.

Every dossier is a sequence of operations. Each operation's AWS calls, durations and item sizes were
measured; the workload model below says how many times a dossier performs each operation, and why.
The capacity model (bench/capacity.py) is printed after the bill.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import capacity

ROOT = Path(__file__).resolve().parent.parent
PRICES = json.loads((Path(__file__).parent / "prices-2026-11.json").read_text())

# Latency of one call on AWS, added to each function's measured own time to estimate billed duration.
AWS_LATENCY_MS = {"DynamoDB": 6, "S3": 15, "SQS": 8, "SES": 40, "SNS": 40, "DynamoDBStreams": 5}
HTTP_MEMORY_GB = 0.5  # serverless.yml: submission, tracking, payment (catalog 1 GB)
WORKER_MEMORY_GB = 0.25
COLD_SHARE = 0.02  # invocations that start a new container (init billed since August 2025)


@dataclass(frozen=True)
class Step:
    """One operation a dossier goes through `times` times on average."""

    operation: str  # the name in bench.json, or an asynchronous function's name
    times: float
    api: bool  # through API Gateway
    memory_gb: float
    why: str


# What one dossier costs, on average over levels 3 and 4 (10 % of dossiers pay a fee online first).
WORKLOAD = [
    Step("search (warm)", 6, True, 1.0, "type-ahead, debounced: a few queries per search, two searches"),
    Step("procedure detail", 2, True, 1.0, "the procedure page, seen again before submitting"),
    Step("create draft", 1, True, HTTP_MEMORY_GB, "one draft"),
    Step("presign upload", 3, True, HTTP_MEMORY_GB, "2.5 required documents on average, and a retry"),
    Step("verify upload", 3, False, HTTP_MEMORY_GB, "one verifier run per stored document"),
    Step(
        "procedure detail",
        8,
        True,
        HTTP_MEMORY_GB,
        "the portal polls the dossier while documents are checked "
        "(a dossier GET costs what a detail GET costs)",
    ),
    Step("submit", 1, True, HTTP_MEMORY_GB, "one submit (and its receipt, counted here once more)"),
    Step("submit", 1, True, HTTP_MEMORY_GB, "the receipt page"),
    Step("procedure detail", 4, True, HTTP_MEMORY_GB, "the citizen following the dossier later"),
    Step("inbox page", 6, True, HTTP_MEMORY_GB, "officials' inbox views attributable to one dossier"),
    Step(
        "official action",
        9,
        True,
        HTTP_MEMORY_GB,
        "5 actions and 4 dossier views (a view costs about an action)",
    ),
    Step(
        "IPN", 0.1 * 3.2, True, HTTP_MEMORY_GB, "10 % pay first: order, IPN (some duplicated), return, polls"
    ),
    Step("result delivery", 1, False, WORKER_MEMORY_GB, "one delivery"),
    Step("relay", 0.9, False, WORKER_MEMORY_GB, "~9 events per dossier, ~10 per stream batch"),
    Step(
        "dossierEvents",
        8,
        False,
        WORKER_MEMORY_GB,
        "each event applied (counters, inbox, citizens' requests)",
    ),
    Step("nationalSync", 7, False, WORKER_MEMORY_GB, "each status change told to the national portal"),
    Step("documentKeeper", 1, False, WORKER_MEMORY_GB, "documents of a sent dossier re-tagged"),
]
SQS_REQUESTS_PER_DOSSIER = 9 * 2 * 3  # events x queues each goes to x (send, receive, delete)
S3_PUTS_PER_DOSSIER = 3 + 3 + 1  # uploads, their re-tagging when sent, the result document
S3_GETS_PER_DOSSIER = 3 + 2  # the verifier's reads, the result and an official's download
EVENTS_PER_DOSSIER = 9
GOAL_PER_THOUSAND = 0.13  # USD of requests and compute per 1,000 dossiers (issue 12)
PROVINCE_DOSSIERS_PER_MONTH = 40_000  # ~480,000 a year for a province of 1.2 million people
COUNTRY_DOSSIERS_PER_MONTH = 3_300_000  # the provinces scaled by population: ~40 million a year


def load_figures() -> dict[str, Any]:
    path = ROOT / "build" / "bench.json"
    if not path.exists():
        print("build/bench.json is missing: measuring first (make bench, quick)\n", flush=True)
        subprocess.run(
            [sys.executable, "-m", "bench"],
            cwd=ROOT,
            check=True,
            env={**__import__("os").environ, "BENCH_QUICK": "1"},
        )
    return dict(json.loads(path.read_text()))


def kb(size: float) -> int:
    return max(1, math.ceil(size / 1024))


def capacity_units(sizes: dict[str, float]) -> dict[str, tuple[float, float]]:
    """(read units, write units) of one run of each operation, from the items it reads and writes.

    Writes cost one unit per KB, twice in a transaction; a single-item change is one plain write. A
    dossier's META is also held by GSI1 and GSI2: the entry is what the index projects (the measured
    `DOSSIER/INDEX`: the inbox's columns, or the whole item when the index projects ALL). An index
    pays one write when the entry changes, a delete and an insert when its key moves, one delete when
    the dossier leaves it. Strongly consistent reads cost one unit per 4 KB, eventually consistent
    (the code lookup, indexes) half.
    """
    meta = kb(sizes.get("DOSSIER/META", 3000))
    content = kb(sizes["DOSSIER/CONTENT"]) if sizes.get("DOSSIER/CONTENT") else 0
    entry = kb(sizes.get("DOSSIER/INDEX", sizes.get("DOSSIER/META", 3000)))
    small = 1
    order = kb(sizes.get("PAY", 600))
    procedure = kb(sizes.get("PROC", 6000))
    files = 2.5 * sizes.get("DOSSIER/FILE", 400)
    whole = sizes.get("DOSSIER/META", 3000) + sizes.get("DOSSIER/CONTENT", 0) + files
    draft = math.ceil(whole / 4096)  # a draft's partition: META, its content and its files
    partition = math.ceil((whole + 8 * sizes.get("DOSSIER/HIST", 200)) / 4096)  # and its history
    # over 5 actions: GSI1 moves once (the due date set on acceptance: 2 writes), changes 3 times (1)
    # and is left once (1); GSI2's key holds the status, so each action moves it (2); the deadline
    # alarm (GSI3, keys only) is set, moved when due soon and removed: 4 writes
    index = (2 + 3 + 1) / 5 * entry + 2 * entry + 4 / 5 * small
    return {
        "search (warm)": (0, 0),
        "procedure detail": (0.1 * 0.5 * math.ceil(procedure / 4), 0),  # the detail cache answers ~90 %
        "dossier view": (partition, 0),
        "create draft": (0.5 * math.ceil(procedure / 4), 2 * (meta + content) if content else meta),
        "presign upload": (draft if content else 1, 2 * (small + meta)),
        "verify upload": (1, small),
        "submit": (1 + draft, small + 2 * (meta + small * 3 + 2.5 * small + content)),
        "inbox page": (0.5 * math.ceil(20 * sizes.get("DOSSIER/INDEX", 1800) / 4096), 0),
        "official view": (0.5 + partition, 0),
        "official action": (0.5 + partition, 2 * (meta + 2 * small) + index),
        "IPN": (0.5, 2 * (order + 2 * small) + 3 * order),
        "payment order": (1 + 0.5, order * 4),
        "result delivery": (partition, 2 * (small + small) + 4 * small),
        "placement": (1, meta + 2 * entry),  # one write of META; the dossier enters GSI1 and GSI2
        "counters": (0, 2 * (small + small)),  # a marker and a counter, in one transaction
        "national sync": (0.5, small),
        "documentKeeper": (1, 0),
    }


# How many times one dossier needs each operation's read and write units (see WORKLOAD for calls).
UNITS_WORKLOAD = {
    "procedure detail": 2,
    "dossier view": 12,
    "create draft": 1,
    "presign upload": 3,
    "verify upload": 3,
    "submit": 1,
    "inbox page": 6,
    "official view": 4,
    "official action": 5,
    "IPN": 0.1 * 1.2,
    "payment order": 0.1,
    "result delivery": 1,
    "placement": 1,
    "counters": 3,
    "national sync": 7,
    "documentKeeper": 1,
}


def per_dossier(figures: dict[str, Any]) -> dict[str, float]:
    operations, asynchronous = figures["operations"], figures.get("async", {})
    costs = {"API Gateway": 0.0, "Lambda": 0.0, "DynamoDB": 0.0, "SQS": 0.0, "S3": 0.0}
    for step in WORKLOAD:
        if step.operation in operations:
            by_kind = operations[step.operation]["by_kind"]
            own_ms = operations[step.operation]["own_p50"]
        else:
            run = asynchronous.get(step.operation, {"own_p50": 5.0, "records": 1, "invocations": 1})
            own_ms = run["own_p50"] / max(1.0, run["records"] / max(1, run["invocations"]))
            by_kind = {"DynamoDB.GetItem": 1.0, "DynamoDB.UpdateItem": 1.0}
        latency = sum(AWS_LATENCY_MS.get(kind.split(".")[0], 10) * n for kind, n in by_kind.items())
        gb_seconds = math.ceil(own_ms + latency + 1) / 1000 * step.memory_gb
        init = COLD_SHARE * 0.8 * step.memory_gb  # ~800 ms of init on a cold start
        costs["Lambda"] += step.times * (
            (gb_seconds + init) * PRICES["lambda_arm64_gb_second"]
            + PRICES["lambda_requests_per_million"] / 1e6
        )
        if step.api:
            costs["API Gateway"] += step.times * PRICES["api_gateway_http_per_million"] / 1e6
    units = capacity_units(figures.get("item_sizes", {}))
    reads = sum(units[name][0] * times for name, times in UNITS_WORKLOAD.items())
    writes = sum(units[name][1] * times for name, times in UNITS_WORKLOAD.items())
    costs["DynamoDB"] = (
        reads * PRICES["dynamodb_on_demand_read_per_million"]
        + writes * PRICES["dynamodb_on_demand_write_per_million"]
    ) / 1e6
    costs["SQS"] = SQS_REQUESTS_PER_DOSSIER * PRICES["sqs_standard_per_million"] / 1e6
    costs["S3"] = (
        S3_PUTS_PER_DOSSIER * PRICES["s3_put_post_per_thousand"]
        + S3_GETS_PER_DOSSIER * PRICES["s3_get_per_thousand"]
    ) / 1e3
    return costs


def notices_per_dossier() -> float:
    return PRICES["ses_per_thousand_emails"] / 1e3 + PRICES["sns_sms_vietnam_each"]


def main() -> int:
    figures = load_figures()
    costs = per_dossier(figures)
    total = sum(costs.values())
    print(
        f"# make cost  ·  prices of {PRICES['recorded_on']}, {PRICES['region']}  ·  measured "
        f"{figures['measured_at']}\n"
    )
    print("## Requests and compute per 1,000 dossiers\n")
    print("| service | USD per 1,000 dossiers | share |")
    print("|---|---:|---:|")
    for service, value in sorted(costs.items(), key=lambda kv: -kv[1]):
        print(f"| {service} | {value * 1000:.4f} | {value / total:.0%} |")
    goal = GOAL_PER_THOUSAND
    verdict = "met" if total * 1000 <= goal else "MISSED"
    print(f"| **total** | **{total * 1000:.4f}** | goal <= {goal}: {verdict} |\n")
    print_units(figures)
    print_floor(figures)
    notices = notices_per_dossier()
    print(
        f"Notices (one email and one SMS per dossier, not in the goal): {notices * 1000:.2f} USD per 1,000.\n"
    )
    print("## Monthly bill\n")
    print("| | dossiers a month | requests and compute | notices | storage and fixed | total |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, volume in (
        ("province (1,801 procedures)", PROVINCE_DOSSIERS_PER_MONTH),
        ("whole country", COUNTRY_DOSSIERS_PER_MONTH),
    ):
        fixed = fixed_monthly(volume)
        print(
            f"| {name} | {volume:,} | {total * volume:,.2f} | {notices * volume:,.2f} | {fixed:,.2f} | "
            f"{(total + notices) * volume + fixed:,.2f} |"
        )
    print(
        "\nStorage and fixed: a year of dossiers in DynamoDB with point-in-time recovery, documents in S3, "
        "logs, X-Ray at 5 %, and the scheduled jobs and idle queue polling that cost the same at any "
        "volume.\n"
    )
    capacity.print_model(figures)
    return 0


def print_units(figures: dict[str, Any]) -> None:
    """Where DynamoDB's share comes from: each operation's capacity units and how often a dossier needs it."""
    sizes = figures.get("item_sizes", {})
    units = capacity_units(sizes)
    print("## DynamoDB: capacity units per operation\n")
    shown = ", ".join(
        f"{name} {sizes[name]:.0f} B"
        for name in ("DOSSIER/META", "DOSSIER/CONTENT", "DOSSIER/INDEX")
        if name in sizes
    )
    print(f"Measured item sizes: {shown}.\n")
    print("| operation | per dossier | read units | write units | USD per 1,000 dossiers |")
    print("|---|---:|---:|---:|---:|")
    for name, times in UNITS_WORKLOAD.items():
        reads, writes = units[name]
        usd = times * (
            reads * PRICES["dynamodb_on_demand_read_per_million"]
            + writes * PRICES["dynamodb_on_demand_write_per_million"]
        )
        print(f"| {name} | {times:g} | {reads:g} | {writes:g} | {usd / 1e3:.4f} |")
    print()


def print_floor(figures: dict[str, Any]) -> None:
    """What any design on these services pays at the least, to put the goal in proportion."""
    meta = kb(figures.get("item_sizes", {}).get("DOSSIER/META", 1800))
    rows = [
        (
            "API Gateway",
            "10.5 requests: draft, 2.5 presigns, submit, 5 actions, one look at the result",
            10.5 * PRICES["api_gateway_http_per_million"] / 1e6,
        ),
        ("S3", "3.5 PUTs: 2.5 documents and the result", 3.5 * PRICES["s3_put_post_per_thousand"] / 1e3),
        (
            "DynamoDB",
            f"7 state changes, each one transaction of the dossier ({meta} KB), its history entry and "
            "its event: 2 x (meta + 2) units",
            7 * 2 * (meta + 2) * PRICES["dynamodb_on_demand_write_per_million"] / 1e6,
        ),
        (
            "SQS",
            "9 events, 2 queues each, send + receive + delete",
            54 * PRICES["sqs_standard_per_million"] / 1e6,
        ),
        (
            "Lambda",
            "20 invocations of 10 ms at 256 MB",
            20
            * (0.01 * 0.25 * PRICES["lambda_arm64_gb_second"] + PRICES["lambda_requests_per_million"] / 1e6),
        ),
    ]
    print("## The floor: the least any dossier costs on these services at list price\n")
    print("| service | the least a dossier needs | USD per 1,000 dossiers |")
    print("|---|---|---:|")
    for service, why, usd in rows:
        print(f"| {service} | {why} | {usd * 1000:.4f} |")
    print(f"| **floor** | | **{sum(r[2] for r in rows) * 1000:.4f}** |\n")


def fixed_monthly(volume: int) -> float:
    dossiers_kept = volume * 12
    dynamo_gb = dossiers_kept * 12 / 1e6  # ~12 KB per dossier with its files, history and index copies
    s3_gb = dossiers_kept * 1.2 / 1e3  # ~1.2 MB of documents per dossier
    logs_gb = volume * 40 * 600 / 1e9  # ~40 log lines of ~600 bytes per dossier
    polling = 8 * 2 * 86400 * 30 / 20  # 8 queues, 2 idle pollers each, one long poll per 20 s
    schedules = (96 + 144) * 30 * 0.3 * WORKER_MEMORY_GB * PRICES["lambda_arm64_gb_second"]
    return (
        dynamo_gb * (PRICES["dynamodb_storage_gb_month"] + PRICES["dynamodb_pitr_gb_month"])
        + s3_gb * PRICES["s3_standard_gb_month"]
        + logs_gb * PRICES["cloudwatch_logs_ingest_gb"]
        + polling * PRICES["sqs_standard_per_million"] / 1e6
        + schedules
        + volume * 60 * 0.05 * PRICES["xray_traces_per_million"] / 1e6
    )


if __name__ == "__main__":
    sys.exit(main())
