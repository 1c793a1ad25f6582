"""`make package`: the deployment artifact, then `osls package` (offline) for CloudFormation.

One zip for every function: `services/` plus the runtime dependencies built for python3.12 on arm64
from the lock file (boto3 and botocore come with the Lambda runtime and are left out).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
ARTIFACT = BUILD / "dichvucong.zip"
PROVIDED_BY_RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def requirements() -> Path:
    exported = subprocess.run(
        [
            *uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "--no-header",
            "--no-annotate",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    kept = [
        line
        for line in exported.splitlines()
        if line.strip() and line.split("==")[0].strip().lower() not in PROVIDED_BY_RUNTIME
    ]
    path = BUILD / "requirements.txt"
    path.write_text("\n".join(kept) + "\n")
    return path


def build_artifact() -> Path:
    BUILD.mkdir(exist_ok=True)
    target = BUILD / "app"
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        [
            *uv(),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(target),
            "--python-version",
            "3.12",
            "--python-platform",
            "aarch64-manylinux2014",
            "--only-binary",
            ":all:",
            "--no-deps",
            "-r",
            str(requirements()),
        ],
        cwd=ROOT,
        check=True,
    )
    shutil.copytree(
        ROOT / "services", target / "services", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
    )
    if ARTIFACT.exists():
        ARTIFACT.unlink()
    with zipfile.ZipFile(ARTIFACT, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(target.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                info = zipfile.ZipInfo(str(path.relative_to(target)), FIXED_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return ARTIFACT


def osls_package(stage: str) -> Path:
    env = {**os.environ, "SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off"}
    subprocess.run(
        ["npx", "--no-install", "osls", "package", "--stage", stage], cwd=ROOT, env=env, check=True
    )
    return ROOT / ".serverless" / "cloudformation-template-update-stack.json"


if __name__ == "__main__":
    stage = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("STAGE", "prod")
    artifact = build_artifact()
    print(f"artifact {artifact.relative_to(ROOT)}: {artifact.stat().st_size / 1e6:.1f} MB")
    template = osls_package(stage)
    print(f"template {template.relative_to(ROOT)}")
