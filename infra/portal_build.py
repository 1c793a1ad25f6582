"""Vendoring the portal's front-end libraries from node_modules (run by `make`; no CDN at run time)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "portal" / "vendor"
# destination in portal/vendor -> source in node_modules
FILES: dict[str, str] = {}


def build() -> list[Path]:
    VENDOR.mkdir(parents=True, exist_ok=True)
    copied = []
    for destination, source in FILES.items():
        origin = ROOT / "node_modules" / source
        target = VENDOR / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.stat().st_mtime < origin.stat().st_mtime:
            shutil.copyfile(origin, target)
        copied.append(target)
    return copied


if __name__ == "__main__":
    build()
