"""The local cloud at a province's volume: the console's reads and an action with 0, then thousands of
finished dossiers in the table (loaded by `python -m infra history`'s loader, through the dal).

`BENCH_SCALE` lists the table sizes (default 0,2000,10000; `0,10000,100000` takes about an hour here,
most of it loading). The busiest agency of the load is the one read, so its lists are the longest.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

from bench.operations import Measured, Scenario, summarise
from infra import history
from infra.tokens import mint


@dataclass
class Row:
    dossiers: int
    load_seconds: float
    figures: dict[str, dict[str, float]]


def sizes(quick: bool) -> list[int]:
    default = "0,1000" if quick else "0,2000,10000"
    return sorted({int(n) for n in os.environ.get("BENCH_SCALE", default).split(",") if n.strip()})


def measure(scenario: Scenario, table_sizes: list[int], repeats: int = 20) -> list[Row]:
    table = os.environ["TABLE_NAME"]
    catalogue = history.procedures(table)
    loaded, rows = 0, []
    for size in table_sizes:
        seconds = 0.0
        if size > loaded:
            report = history.load(table, size - loaded, seed=size, catalogue=catalogue)
            seconds, loaded = report.seconds, size
        rows.append(Row(size, seconds, _reads(scenario, table, repeats)))
    return rows


def _busiest(table: str) -> tuple[str, str, str]:
    """The agency with the most finished dossiers, one of its codes, and its busiest month."""
    from services.core.dal import aws, ddb

    found = list(
        ddb.all_items(
            aws.dynamodb().scan,
            TableName=table,
            FilterExpression="SK = :meta AND begins_with(PK, :dossier) AND #s = :returned",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":meta": {"S": "META"},
                ":dossier": {"S": "DOSSIER#"},
                ":returned": {"S": "RESULT_RETURNED"},
            },
            ProjectionExpression="agency, code, received_at",
        )
    )
    if not found:
        return "", "", ""
    agencies = Counter(i["agency"]["S"] for i in found)
    agency = agencies.most_common(1)[0][0]
    mine = [i for i in found if i["agency"]["S"] == agency]
    month = Counter(i["received_at"]["S"][:7] for i in mine).most_common(1)[0][0]
    return agency, mine[0]["code"]["S"], month


def _reads(scenario: Scenario, table: str, repeats: int) -> dict[str, dict[str, float]]:
    agency, code, month = _busiest(table)
    marriage = scenario.procedure("Đăng ký kết hôn")
    agency = agency or marriage["agency"]["code"]
    officer = {"authorization": f"Bearer {mint(agency, ['receiver', 'handler', 'leader'])}"}
    get = partial(scenario._http, "trackingApi", "GET", headers=officer)
    results = {
        name: Measured(name)
        for name in ("inbox page", "returned list", "dossier view", "month of statistics")
    }
    for _ in range(repeats):
        scenario._measure(results["inbox page"], lambda: get("/api/tracking/dossiers?limit=20"))
        scenario._measure(
            results["returned list"], lambda: get("/api/tracking/dossiers?status=RESULT_RETURNED&limit=20")
        )
        if code:
            scenario._measure(results["dossier view"], lambda: get(f"/api/tracking/dossiers/{code}"))
        if month:
            scenario._measure(
                results["month of statistics"], lambda: get(f"/api/tracking/stats?from={month}&to={month}")
            )
    results["official action"] = _actions(scenario, marriage, max(3, repeats // 4))
    return {name: summarise(m) for name, m in results.items() if m.timings_ms}


def _actions(scenario: Scenario, procedure: dict[str, Any], repeats: int) -> Measured:
    """A fresh dossier submitted and accepted, `repeats` times: the accept is what is timed."""
    measured, scratch = Measured("official action"), Measured("scratch")
    officer = {
        "authorization": f"Bearer {mint(procedure['agency']['code'], ['receiver', 'handler', 'leader'])}"
    }
    for _ in range(repeats):
        dossier = scenario._draft(procedure)
        scenario._documents(procedure, dossier, scratch, scratch)
        code = scenario._submit(dossier)["code"]
        scenario.cloud.pump()
        version = scenario._http(
            "trackingApi", "GET", f"/api/tracking/dossiers/{code}", headers=officer
        ).json()["version"]
        scenario._measure(measured, partial(scenario._accept, code, version, officer))
    return measured


def print_rows(rows: list[Row]) -> None:
    print("\n## The local cloud at scale (finished dossiers in the table; the busiest agency read)\n")
    print("| dossiers in the table | loaded in s | operation | p50 ms | p99 ms | AWS calls |")
    print("|---:|---:|---|---:|---:|---:|")
    for row in rows:
        for name, s in row.figures.items():
            print(
                f"| {row.dossiers:,} | {row.load_seconds:.0f} | {name} | {s['p50']:.1f} | {s['p99']:.1f} | "
                f"{s['calls']:g} |"
            )
    last = rows[-1].figures.get("inbox page") if rows else None
    if last:
        verdict = "met" if last["p99"] < 100 else "MISSED"
        print(
            f"\nInbox page p99 at {rows[-1].dossiers:,} dossiers: {last['p99']:.1f} ms "
            f"(goal under 100 ms at 100,000: {verdict} at this size)"
        )
