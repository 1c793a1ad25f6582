"""The embedded AWS: moto's server, run by the local cloud as a child process.

`python -m infra.aws --port 4566` serves moto (with the fixes of infra/motofix.py) until stopped.
In its own process the emulator works on the second core instead of competing with the functions for
one interpreter, and the application can be killed and restarted against the same AWS state.

It also answers `GET /_local/outbox`: the emails (SES) and text messages (SNS) the functions sent,
read from moto's backends, so a developer can see what citizens would have received.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

ACCOUNT = "123456789012"


def _outbox() -> dict[str, Any]:
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    emails, texts = [], []
    for region, backend in ses_backends[ACCOUNT].items():
        for message in getattr(backend, "sent_messages", []):
            emails.append(
                {
                    "region": region,
                    "id": getattr(message, "id", ""),
                    "source": getattr(message, "source", ""),
                    "to": list(getattr(message, "destinations", {}).get("ToAddresses", [])),
                    "subject": getattr(message, "subject", ""),
                    "body": getattr(message, "body", ""),
                }
            )
    for region, backend in sns_backends[ACCOUNT].items():
        for message_id, entry in getattr(backend, "sms_messages", {}).items():
            phone, text = entry[0], entry[1]
            texts.append({"region": region, "id": message_id, "phone": phone, "message": text})
    return {"emails": emails, "sms": texts}


def application() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from infra.motofix import harden_dynamodb

    harden_dynamodb()
    moto = DomainDispatcherApplication(create_backend_app)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/_local/outbox":
            body = json.dumps(_outbox(), ensure_ascii=False).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return moto(environ, start_response)

    return app


def serve(host: str, port: int) -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server = make_server(host, port, application(), threaded=True, request_handler=MotoRequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.Thread(target=_warm_up, args=(host, port), daemon=True).start()
    print(f"embedded AWS listening on {host}:{port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        server.serve_forever()


def _warm_up(host: str, port: int) -> None:
    """moto loads each service's backend on its first request (over a second for DynamoDB); ask each
    service something harmless now, while the local cloud is still importing its own code."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="warm", aws_secret_access_key="warm", region_name="ap-southeast-1"
    )
    endpoint = f"http://{host}:{port}"
    calls = (
        ("dynamodb", "list_tables"),
        ("s3", "list_buckets"),
        ("sqs", "list_queues"),
        ("sns", "list_topics"),
        ("cloudwatch", "describe_alarms"),
        ("dynamodbstreams", "list_streams"),
        ("ses", "list_identities"),
        ("ssm", "describe_parameters"),
    )
    for service, operation in calls:
        try:
            getattr(session.client(service, endpoint_url=endpoint), operation)()
        except Exception:  # warming is best effort
            continue


def reachable(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def spawn(host: str, port: int, timeout: float = 30.0, meanwhile: Any = None) -> subprocess.Popen[bytes]:
    """Start the embedded AWS in a child process and wait until it accepts connections (running
    `meanwhile`, if given, while the child starts)."""
    if reachable(host, port):
        raise RuntimeError(f"port {port} is already in use; set AWS_PORT to a free port")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "infra.aws", "--host", host, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError("the embedded AWS exited at start")
        if reachable(host, port):
            return child
        time.sleep(0.05)
    child.kill()
    raise RuntimeError("the embedded AWS did not start")


def _die_with_parent() -> None:
    """Linux: the emulator is killed with the local cloud, even if that one is killed with SIGKILL."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m infra.aws")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    arguments = parser.parse_args()
    serve(arguments.host, arguments.port)
