"""The layer rules of DESIGN.md, enforced: import-linter's contracts (pyproject.toml) must all hold.

`make lint` runs the same check; here it runs in `make test`, so a change that breaks a rule fails CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept():
    linter = Path(sys.executable).parent / "lint-imports"
    answer = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert answer.returncode == 0, answer.stdout[-4000:] + answer.stderr[-2000:]
    assert "broken" in answer.stdout and " 0 broken" in answer.stdout
