"""The chaos run through the whole local cloud, the invariant checker, the redrive, and the privacy of
the logs. `make test` runs it small (CHAOS_DOSSIERS, default 12); `make chaos` runs 2,000 dossiers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from tests.chaos.driver import Chaos, Run
from tests.conftest import ARTIFACTS, ROOT, Stack, start_stack, stop_stack

DOSSIERS = int(os.environ.get("CHAOS_DOSSIERS", "12"))
pytestmark = pytest.mark.chaos


@dataclass
class Results:
    run: Run
    before: dict[str, Any]
    redrive: dict[str, Any]
    after: dict[str, Any]
    log: str


def infra(stack: Stack, *args: str) -> dict[str, Any]:
    """`python -m infra ...` against the started cloud, as an operator would run it."""
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": stack.aws_endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }
    env.pop("AWS_SESSION_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "infra", *args, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def chaos() -> Results:
    stack = start_stack("chaos", {"LOCAL_RETRY_DELAY": "1"})
    try:
        driver = Chaos(stack.url, stack.aws_endpoint, DOSSIERS)
        run = driver.execute()
        before = infra(stack, "check", "--url", stack.url)
        redrive = infra(stack, "redrive")
        driver.quiet()
        after = infra(stack, "check", "--url", stack.url)
    finally:
        code = stop_stack(stack)
    assert code == 0
    results = Results(run, before, redrive, after, stack.log.read_text(errors="replace"))
    report(results)
    return results


def report(results: Results) -> None:
    run = results.run
    paths = Counter(" > ".join(o.path) or "-" for o in run.outcomes)
    lines = [
        f"# Chaos run: {len(run.outcomes)} dossiers in {run.seconds:.0f} s",
        "",
        "| dossiers | count |",
        "|---|---:|",
        *[f"| {kind} | {n} |" for kind, n in sorted(Counter(o.kind for o in run.outcomes).items())],
        *[f"| {path} | {n} |" for path, n in sorted(paths.items())],
        "",
        "| fault injected | count |",
        "|---|---:|",
        *[f"| {kind} | {n} |" for kind, n in sorted(run.faults.items())],
        f"| **total** | **{sum(run.faults.values())}** |",
        "",
        "| invariant | checked | before the redrive: violations (explained) | after: violations |",
        "|---|---:|---:|---:|",
    ]
    for name, inv in results.after["invariants"].items():
        first = results.before["invariants"][name]
        lines.append(
            f"| {inv['description']} | {inv['checked']} | {first['violations']} ({first['explained']}) | "
            f"{inv['violations']} |"
        )
    lines += [
        f"| dead letters replayed by `python -m infra redrive` | {results.redrive['total']} | - | "
        f"{sum(results.after['dead_letters'].values()) - results.after['poison']} left |",
        f"| poison messages kept and reported | {len(results.redrive['poison'])} | - | - |",
        "",
        f"Violations: {len(results.before['violations']) + len(results.after['violations'])}",
    ]
    errors = [o.error for o in run.outcomes if o.error]
    if errors:
        lines += ["", "Journeys that did not finish:", *[f"- {e}" for e in errors[:20]]]
    text = "\n".join(lines)
    (ARTIFACTS / "chaos.md").write_text(text + "\n")
    (ARTIFACTS / "chaos.json").write_text(
        json.dumps({"before": results.before, "redrive": results.redrive, "after": results.after}, indent=1)
    )
    print("\n" + text)


def test_every_journey_finished(chaos):
    assert [o.error for o in chaos.run.outcomes if o.error] == []
    assert len(chaos.run.outcomes) >= DOSSIERS
    assert sum(chaos.run.faults.values()) > DOSSIERS  # the run was not a quiet one


def test_nothing_is_lost_or_stuck_without_a_dead_letter_explaining_it(chaos):
    assert chaos.before["violations"] == []
    # the dead-letter burst really put dossiers in the DLQs, and the checker saw them as explained
    assert chaos.before["explained"], "the dead-letter burst left nothing to explain"


def test_every_dead_letter_replays_and_then_every_invariant_holds(chaos):
    assert chaos.redrive["total"] >= 3
    assert chaos.after["violations"] == []
    assert chaos.after["explained"] == []
    # only the poison is left, reported, never replayed
    assert (
        sum(chaos.after["dead_letters"].values())
        == chaos.after["poison"]
        == len(chaos.redrive["poison"])
        == 4
    )
    for name, inv in chaos.after["invariants"].items():
        assert inv["checked"] > 0, name


JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}")
# whole tokens only: a run of twelve digits inside a hash or an id is not an ID number
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])0\d{11}(?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9A-Za-z.])0[35789]\d{8}(?![0-9A-Za-z.])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def test_the_logs_hold_no_personal_data_and_no_credentials(chaos):
    log = chaos.log
    assert len(log) > 10_000, "the run logged next to nothing: the scan would prove nothing"
    leaks = []
    for citizen in chaos.run.people:
        for value in (citizen.full_name, citizen.id_number, citizen.phone, citizen.email):
            if value in log:
                leaks.append(value)
    leaks += [secret[:12] + "..." for secret in chaos.run.secrets if secret in log]
    leaks += JWT.findall(log)[:5]
    leaks += ID_NUMBER.findall(log)[:5]
    leaks += PHONE.findall(log)[:5]
    leaks += [e for e in EMAIL.findall(log) if not e.endswith(("dichvucong.soctrang.gov.vn",))][:5]
    assert leaks == []
