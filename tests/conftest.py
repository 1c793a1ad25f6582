"""Settings every test process starts with: the local stage, never a real AWS account."""

import os

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")
os.environ.setdefault("AWS_REGION", "ap-southeast-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
# botocore sends DynamoDB Streams calls to account endpoints ({account}.streams-ddb...), which
# moto's in-process mock does not route; the regional endpoint is the same API.
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "DichVuCong")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.pop("AWS_ENDPOINT_URL", None)


# -- the started local cloud, shared by the HTTP, browser, fuzz and chaos tests ----------------------

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    url: str
    aws_endpoint: str
    process: subprocess.Popen
    log: Path


def start_stack(name: str, extra_env: dict[str, str] | None = None) -> Stack:
    import httpx

    ARTIFACTS.mkdir(exist_ok=True)
    port, aws_port = free_port(), free_port()
    log = ARTIFACTS / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OFFICIALS_", "VNPAY_"))}
    env.update(
        {
            "PORT": str(port),
            "AWS_PORT": str(aws_port),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
    )
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra", "run"], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local cloud exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Stack(url, f"http://127.0.0.1:{aws_port}", process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the local cloud did not become healthy: {log.read_text()[-3000:]}")


def stop_stack(stack: Stack) -> int:
    stack.process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    try:
        return stack.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        raise


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    started = start_stack("local-cloud")
    yield started
    code = stop_stack(started)
    assert code == 0, f"the local cloud did not stop cleanly on Ctrl-C (exit {code})"
