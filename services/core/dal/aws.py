"""boto3 clients, built once per container and only when first used.

The endpoint comes from the standard AWS_ENDPOINT_URL, so the same code talks to moto, LocalStack or
AWS. Retries are the SDK's standard mode; timeouts are short because Lambda's are.
"""

from __future__ import annotations

import os
import threading
from typing import Any

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config

            options: dict[str, Any] = {
                "retries": {"mode": "standard", "max_attempts": 3},
                "connect_timeout": 3,
                "read_timeout": 10,
                "max_pool_connections": 50,
            }
            if service == "s3":
                # Presigned links must name the regional endpoint, path-style off AWS (moto, LocalStack).
                options["s3"] = {
                    "addressing_style": "path" if os.environ.get("AWS_ENDPOINT_URL") else "virtual"
                }
                options["signature_version"] = "s3v4"
            _clients[service] = boto3.session.Session().client(service, config=Config(**options))  # type: ignore[call-overload]
    return _clients[service]


def dynamodb() -> Any:
    return client("dynamodb")


def s3() -> Any:
    return client("s3")


def sqs() -> Any:
    return client("sqs")


def reset() -> None:
    """Forget every client (tests that switch endpoints between runs)."""
    with _lock:
        _clients.clear()
