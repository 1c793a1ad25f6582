"""Integration tests: the handlers against moto in this process, resources provisioned from serverless.yml."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.cloud import LocalCloud
from services.core.dal import aws
from tests.inprocess import in_process_cloud

SAMPLE = json.loads((Path(__file__).parent.parent / "events" / "tthc-package-sample.json").read_text())


@pytest.fixture(scope="session")
def cloud() -> Iterator[LocalCloud]:
    """One in-process AWS for the session, provisioned like the local cloud, functions' environment set."""
    with in_process_cloud() as local:
        yield local


@pytest.fixture(scope="session")
def table(cloud: LocalCloud) -> str:
    return os.environ["TABLE_NAME"]


@pytest.fixture(scope="session")
def submission_api(cloud):
    """The sample procedures in the catalogue, and the submission functions as Lambda runs them."""
    import copy

    from services.catalog.logic.tthc import Structure, parse_package
    from services.core.dal import ddb
    from services.core.procedures import procedure_item
    from tests.integration.flows import LEVEL2

    level2 = {**copy.deepcopy(SAMPLE[0]), "MaTTHC": LEVEL2, "MUCDO": "2"}
    for procedure in parse_package([*SAMPLE, level2], Structure()).procedures:
        aws.dynamodb().put_item(
            TableName=os.environ["TABLE_NAME"], Item=ddb.serialize(procedure_item(procedure))
        )
    from services.submission.handlers import http, verifier

    return http, verifier
