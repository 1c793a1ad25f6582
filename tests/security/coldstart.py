"""Cold starts of deployed functions, each in a process of its own: the environment serverless.yml
gives the function, then its handler module imported the way Lambda's runtime imports it.

A fresh interpreter spends two seconds importing boto3, FastAPI and pydantic before it reaches our code,
so the processes are forked from a server that has imported those libraries and nothing of
`services`: each child still reads its environment and loads its settings from scratch. Every child runs
under moto, so nothing here can reach a real AWS account; SSM holds what the stage would hold.

Nothing from `services` is imported at the top of this module: the children import it themselves.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

# what every handler imports before it reaches our code
PRELOAD = [
    "boto3",
    "botocore.session",
    "pydantic",
    "pydantic_settings",
    "fastapi",
    "fastapi.security",
    "starlette.middleware.cors",
    "mangum",
    "jwt",
    "aws_lambda_powertools",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parameters",
    "moto",
    "moto.kms.models",  # the gateway's secret is a SecureString: SSM and KMS, seconds to import
    "moto.ssm.models",
]
RUNTIME = {"AWS_REGION": "ap-southeast-1", "AWS_DEFAULT_REGION": "ap-southeast-1"}


@dataclass(frozen=True)
class ColdStart:
    function: str
    case: str
    module: str
    environment: dict[str, str]
    ssm: dict[str, str] = field(default_factory=dict)
    refuses: bool = False

    @property
    def name(self) -> str:
        return f"{self.function} with {self.case}"


@dataclass(frozen=True)
class Outcome:
    exitcode: int | None
    output: str


def start_all(starts: list[ColdStart], at_once: int | None = None) -> dict[str, Outcome]:
    """Every cold start in its own child process, a few at a time; their exit codes and tracebacks."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    at_once = at_once or max(2, os.cpu_count() or 2)
    outcomes: dict[str, Outcome] = {}
    try:
        for first in range(0, len(starts), at_once):
            running = []
            for start in starts[first : first + at_once]:
                receiving, sending = context.Pipe(duplex=False)
                child = context.Process(
                    target=_cold_start, args=(start.module, start.environment, start.ssm, sending)
                )
                child.start()
                sending.close()
                running.append((start, child, receiving))
            for start, child, receiving in running:
                try:
                    output = receiving.recv() if receiving.poll(120) else "no answer within 120 s"
                except EOFError:
                    output = "the process ended without a word"
                child.join(30)
                if child.exitcode is None:
                    child.kill()
                    child.join()
                outcomes[start.name] = Outcome(child.exitcode, output)
    finally:
        from multiprocessing import forkserver

        forkserver._forkserver._stop()  # type: ignore[attr-defined]  # the server started here, only it
    return outcomes


def _cold_start(module: str, environment: dict[str, str], ssm: dict[str, str], report: Connection) -> None:
    os.environ.clear()
    os.environ.update(environment)
    try:
        from moto import mock_aws

        with mock_aws():
            if ssm:
                import boto3

                client: Any = boto3.client("ssm", region_name=environment["AWS_REGION"])
                for name, value in ssm.items():
                    client.put_parameter(Name=name, Value=value, Type="SecureString")
            importlib.import_module(module)
    except BaseException:  # what Lambda reports as an init error: the function never starts
        report.send(traceback.format_exc())
        report.close()
        raise SystemExit(1) from None
    report.send("")
    report.close()
