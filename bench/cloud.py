"""An embedded AWS for measurements: moto's server on a free port, provisioned and seeded."""

from __future__ import annotations

import base64
import json
import os
import socket
import tempfile
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from infra.cloud import LocalCloud, LocalOptions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(seed: bool = True) -> LocalCloud:
    os.environ.setdefault(
        "MOTO_RECORDER_FILEPATH", os.path.join(tempfile.gettempdir(), f"moto-recording-{os.getpid()}")
    )
    # figures, not logs: the functions stay quiet and emit no metrics while measured
    os.environ.update({"LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"})
    options = LocalOptions.from_env({"PORT": str(free_port()), "AWS_PORT": str(free_port())})
    cloud = LocalCloud(options)
    cloud.start_aws()
    cloud.provision()
    if seed:
        cloud.seed()
        # the rest of the form templates upload in the background: their calls must not be counted
        if cloud.seed_report is not None:
            cloud.seed_report.templates_done.wait(600)
    return cloud


class Recorder:
    """moto's request recorder: every AWS call the code under measurement makes."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def _post(self, action: str) -> bytes:
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/recorder/{action}", method="POST", data=b""
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return bytes(answer.read())

    @contextmanager
    def recording(self) -> Iterator[Counter[str]]:
        calls: Counter[str] = Counter()
        self._post("reset-recording")
        self._post("start-recording")
        try:
            yield calls
        finally:
            self._post("stop-recording")
            with urllib.request.urlopen(
                f"{self.endpoint}/moto-api/recorder/download-recording",
                timeout=10,
            ) as answer:
                for line in answer.read().decode().splitlines():
                    if line.strip():
                        calls[operation(json.loads(line))] += 1


def operation(entry: dict) -> str:
    """`DynamoDB.GetItem`, `S3.GetObject`, ...: the service and action of one recorded request."""
    headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
    target = headers.get("x-amz-target", "")
    scope = headers.get("authorization", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    service = scope[3] if len(scope) > 3 else "?"
    names = {
        "dynamodb": "DynamoDB",
        "s3": "S3",
        "sqs": "SQS",
        "ses": "SES",
        "sns": "SNS",
        "ssm": "SSM",
        "cloudwatch": "CloudWatch",
        "streams.dynamodb": "DynamoDBStreams",
        "dynamodbstreams": "DynamoDBStreams",
    }
    label = names.get(service, service)
    if target:
        return f"{label}.{target.rpartition('.')[2]}"
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    if "Action=" in body:
        return f"{label}.{body.split('Action=', 1)[1].split('&', 1)[0]}"
    if service == "s3" or "?" not in entry.get("url", "") or label == "S3":
        return f"S3.{_s3_action(entry)}"
    return f"{label}.{entry.get('method')}"


def _s3_action(entry: dict) -> str:
    url = entry.get("url", "")
    path, _, query = url.split("//", 1)[-1].partition("/")[2].partition("?")
    has_key = "/" in path.strip("/")
    method = entry.get("method", "")
    if "tagging" in query:
        return {"PUT": "PutObjectTagging", "GET": "GetObjectTagging"}.get(method, "Tagging")
    if method == "POST":
        return "DeleteObjects" if "delete" in query else "PostObject"
    base = {
        "GET": "GetObject" if has_key else "ListObjects",
        "PUT": "PutObject" if has_key else "CreateBucket",
        "HEAD": "HeadObject" if has_key else "HeadBucket",
        "DELETE": "DeleteObject",
    }
    return base.get(method, method)
