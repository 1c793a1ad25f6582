"""Schemathesis against the started local cloud: the settings, the real things to aim at, the tally.

FUZZ_EXAMPLES sets the generated cases per operation: small by default so `make test` stays about a
minute, 300 in `make fuzz`. A run is deterministic (a fixed seed, derandomized, no example database), so
CI and a laptop send the same requests.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.conftest import ARTIFACTS
from tests.fuzz.strategies import crafting_hook
from tests.fuzz.tally import Tally
from tests.fuzz.world import Shaper, World, build_world, restore_calendar

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# The coverage phase (boundary and out-of-schema values for every parameter, a few dozen cases an operation
# whatever FUZZ_EXAMPLES says) is for the large run; the small one in `make test` has to stay near a minute.
COVERAGE = EXAMPLES >= 100
SERVICES = ("catalog", "submission", "payment", "tracking")
SEED = 20261126
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
TALLY = Tally(SERVICES)


def fuzz_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
            "request-timeout": 30,
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {"coverage": {"enabled": COVERAGE}},
            # 16 shards a month, one Query each, and the embedded DynamoDB scans the whole table per Query
            # (~0.2 s): a year of statistics takes half a minute locally, well under a second on AWS
            "operations": [{"include-path": "/api/tracking/stats", "request-timeout": 180}],
        }
    )


@pytest.fixture(scope="session")
def world(stack: Any) -> Iterator[World]:
    built = build_world(stack.url)
    yield built
    restore_calendar(built)


@pytest.fixture(scope="session")
def shaper(world: World) -> Shaper:
    return Shaper(world)


@pytest.fixture(scope="session", params=SERVICES)
def api_schema(request: pytest.FixtureRequest, stack: Any, world: World, tally: Tally) -> Any:
    service = request.param
    schema = schemathesis.openapi.from_url(f"{stack.url}/api/{service}/openapi.json", config=fuzz_config())
    # crafted cursors and far months for every `cursor`, `from` and `to` (tests/fuzz/strategies.py)
    schema.hooks.register_hook_with_name(crafting_hook(lambda: world.cursors), "flatmap_query")
    for result in schema.get_all_operations():
        tally.operation(service, result.ok().label)
    return schema


@pytest.fixture
def scenario_settings(api_schema: Any) -> hypothesis.settings:
    """Stateful scenarios: a third as many as the examples per operation, up to six linked calls each."""
    return hypothesis.settings(
        api_schema.config.get_hypothesis_settings(phase="stateful"),
        max_examples=max(3, EXAMPLES // 3),
        stateful_step_count=6,
    )


# -- the tally: test-artifacts/fuzz.json and the closing lines -------------------------------------------


@pytest.fixture(scope="session")
def tally() -> Iterator[Tally]:
    yield TALLY
    summary = {
        "schemathesis": schemathesis.__version__,
        "examples_per_operation": EXAMPLES,
        "coverage_phase": COVERAGE,
        "seed": SEED,
        "checks": list(CHECKS),
        "services": TALLY.as_json(),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")


@pytest.fixture(autouse=True)
def _timed(request: pytest.FixtureRequest, tally: Tally) -> Iterator[None]:
    started = time.monotonic()
    yield
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "api_schema" in callspec.params:
        tally.services[callspec.params["api_schema"]].seconds += time.monotonic() - started


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32's lazy loader renames the test per operation through `Node._nodeid`, which pytest 9.2
    # replaced with `Node._id`; without the attribute every lazily loaded schema test fails before it starts.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not any(service.operations for service in TALLY.services.values()):
        return
    terminalreporter.section(
        f"fuzz: schemathesis {schemathesis.__version__}, {EXAMPLES} examples per operation"
    )
    for line in TALLY.lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"summary: {ARTIFACTS / 'fuzz.json'}")
