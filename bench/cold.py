"""Cold imports: every function of serverless.yml against the bare framework it stands on.

Each figure is the median of several fresh interpreters, run alternately (function, floor, function,
floor, ...) so that drift on the machine touches both alike. Bytecode is compiled once first, since a
deployment can ship it; what is measured is the import itself.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

from infra import sls

MEASURE = (
    "import time, importlib; t = time.perf_counter(); importlib.import_module({module!r}); "
    "print(time.perf_counter() - t)"
)
HTTP_FLOOR = "bench.baselines.http_bare"
WORKER_FLOOR = "bench.baselines.worker_bare"


@dataclass
class ColdImport:
    function: str
    module: str
    kind: str
    median_ms: float
    floor_ms: float

    @property
    def ratio(self) -> float:
        return self.median_ms / self.floor_ms


def _once(module: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE.format(module=module)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def measure(env: dict[str, str], runs: int = 7) -> list[ColdImport]:
    config = sls.load(stage="local")
    results = []
    env = {**os.environ, **env, "PYTHONDONTWRITEBYTECODE": "0"}
    for name, spec in config.functions.items():
        module, _ = sls.handler_target(spec["handler"])
        kind = "http" if any("httpApi" in e for e in spec.get("events", [])) else "worker"
        floor = HTTP_FLOOR if kind == "http" else WORKER_FLOOR
        _once(module, env), _once(floor, env)  # compile bytecode, warm the disk cache
        mine, base = [], []
        for _ in range(runs):
            mine.append(_once(module, env))
            base.append(_once(floor, env))
        results.append(ColdImport(name, module, kind, statistics.median(mine), statistics.median(base)))
    return results
