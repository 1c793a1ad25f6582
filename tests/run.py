"""`make test`: the whole suite as two pytest processes side by side, then one coverage report.

The tests against started local clouds (browser, http, fuzz on one stack with one Chromium; chaos on its
own) wait mostly on the emulator and the browser; the rest (unit, integration, security) mostly compute.
On two cores, running the halves together takes about as long as the longer one. Each half keeps its own
coverage data; they are combined at the end. With arguments (`make test PYTEST_ARGS=...`) it is
one plain pytest run with those arguments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK_BOUND = ("tests/browser", "tests/http", "tests/fuzz", "tests/chaos")


def main(args: list[str]) -> int:
    python = sys.executable
    if args:
        return subprocess.call(
            [python, "-m", "pytest", "--cov", "--cov-report=term:skip-covered", *args], cwd=ROOT
        )
    for old in ROOT.glob(".coverage*"):
        old.unlink()
    stack_paths = [path for path in STACK_BOUND if (ROOT / path).is_dir()]
    log = ROOT / "test-artifacts" / "stack-bound-tests.log"
    log.parent.mkdir(exist_ok=True)
    common = ["--cov", "--cov-report=", "-p", "no:cacheprovider"]
    with log.open("w") as out:
        stack_bound = subprocess.Popen(
            [python, "-m", "pytest", *common, *stack_paths],
            cwd=ROOT,
            env={**os.environ, "COVERAGE_FILE": str(ROOT / ".coverage.stack")},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        ignored = [f"--ignore={path}" for path in stack_paths]
        rest = subprocess.call(
            [python, "-m", "pytest", *common, "tests", *ignored],
            cwd=ROOT,
            env={**os.environ, "COVERAGE_FILE": str(ROOT / ".coverage.rest")},
        )
        stack = stack_bound.wait()
    print(f"\n==== {', '.join(STACK_BOUND)} (run alongside; {log.relative_to(ROOT)}) ====", flush=True)
    print(log.read_text(), flush=True)
    subprocess.call([python, "-m", "coverage", "combine", ".coverage.stack", ".coverage.rest"], cwd=ROOT)
    subprocess.call([python, "-m", "coverage", "report", "--skip-covered"], cwd=ROOT)
    print(f"in-process half: exit {rest}; stack-bound half: exit {stack}")
    return rest or stack


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
