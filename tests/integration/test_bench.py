"""`make bench` and `make cost` keep working, and the goals they measure hold: counted AWS calls per
operation (never timings: those are figures `make bench` prints, not assertions)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench import capacity, cost
from services.core import keys

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scenario():
    from bench import cloud as bench_cloud
    from bench import operations
    from services.core.dal import aws

    saved = dict(os.environ)  # the bench's cloud sets the functions' environment for its own AWS
    local = bench_cloud.start(seed=True)
    try:
        yield operations.Scenario(local)
    finally:
        local.stop()
        os.environ.clear()
        os.environ.update(saved)
        aws.reset()


def test_the_call_count_goals_hold(scenario):
    from bench import operations

    results = {name: operations.summarise(m) for name, m in scenario.run(repeats=1).items()}
    # the recorder saw the operations' calls (a count of zero everywhere would prove nothing)
    assert results["create draft"]["calls"] >= 1 and results["submit"]["calls"] >= 2
    assert results["search (warm)"]["calls"] == 0
    assert results["inbox page"]["calls"] == 1
    for name in ("submit", "IPN", "official action"):
        assert results[name]["calls"] <= 4, (name, results[name])
    profile = scenario.profile_event_path(2)
    assert profile["wall_ms"] > 0 and profile["by_area_ms"]


def test_the_dossier_item_every_action_rewrites_stays_small(scenario):
    # after the run above: what the citizen declared is in CONTENT, so META (rewritten by every action)
    # fits one write unit, and the inbox indexes hold only its columns
    sizes = scenario.item_sizes()
    if "DOSSIER/META" not in sizes:  # run alone: make the dossiers first
        scenario.run(repeats=1)
        sizes = scenario.item_sizes()
    assert sizes["DOSSIER/CONTENT"] > 0
    assert sizes["DOSSIER/META"] < 1024, sizes
    assert sizes["DOSSIER/INDEX"] < sizes["DOSSIER/META"] * 0.7, sizes


def figures() -> dict:
    operation = {"by_kind": {"DynamoDB.GetItem": 1.0, "DynamoDB.TransactWriteItems": 1.0}, "own_p50": 8.0}
    return {
        "measured_at": "2026-11-26 12:00",
        "operations": {step.operation: operation for step in cost.WORKLOAD},
        "async": {},
        "item_sizes": {"DOSSIER/META": 1800, "PAY": 500, "PROC": 2200},
    }


def test_the_cost_model_prices_every_service_and_scales_with_volume():
    costs = cost.per_dossier(figures())
    assert set(costs) == {"API Gateway", "Lambda", "DynamoDB", "SQS", "S3"}
    assert all(value > 0 for value in costs.values())
    bigger = figures()
    bigger["item_sizes"]["DOSSIER/META"] = 9000  # a fatter dossier costs more to write
    assert cost.per_dossier(bigger)["DynamoDB"] > costs["DynamoDB"]
    assert cost.fixed_monthly(cost.COUNTRY_DOSSIERS_PER_MONTH) > cost.fixed_monthly(
        cost.PROVINCE_DOSSIERS_PER_MONTH
    )


def test_make_cost_prints_the_bill_the_floor_and_the_capacity(tmp_path, monkeypatch):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "bench.json").write_text(json.dumps(figures()))
    monkeypatch.setattr(cost, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cost.main() == 0
    text = out.getvalue()
    for heading in ("per 1,000 dossiers", "The floor", "Monthly bill", "whole country", "hottest partition"):
        assert heading in text


def test_every_hot_partition_stays_under_a_tenth_of_its_limit():
    rows = capacity.patterns({"DOSSIER/META": 1800})
    assert all(p.share <= capacity.GOAL for p in rows), [(p.name, p.share) for p in rows if p.share > 0.1]


def test_without_write_sharding_the_inbox_and_counters_would_not_hold():
    unsharded = {p.name: capacity.unsharded(p).share for p in capacity.patterns({"DOSSIER/META": 1800}, 1)}
    assert unsharded["officials' inbox"] > capacity.GOAL
    assert unsharded["statistics counters"] > capacity.GOAL
    assert keys.STATS_SHARDS >= 8 and keys.ALARM_SHARDS >= 8
