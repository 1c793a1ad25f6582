"""Drafts against a procedure whose form schema was stored before the import rules (issue 19, findings
1 and 6): the submission function answers 422 without fetching anything or running the pattern."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest

from services.catalog.logic.tthc import Structure, parse_package
from services.core.dal import aws, ddb
from services.core.procedures import procedure_item
from tests.integration.conftest import SAMPLE
from tests.integration.flows import create
from tests.unit.test_form_schema_security import ATTACK, EVIL, Listener


def stored_procedure(code: str, schema: dict[str, Any]) -> str:
    """A level-3 procedure written straight to the table, as an import before the rules could have."""
    record = {**copy.deepcopy(SAMPLE[0]), "MaTTHC": code}
    procedure = parse_package([record], Structure()).procedures[0].model_copy(update={"form_schema": schema})
    aws.dynamodb().put_item(TableName=os.environ["TABLE_NAME"], Item=ddb.serialize(procedure_item(procedure)))
    return code


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_creating_drafts_never_contacts_a_server_a_stored_schema_points_at(submission_api, listener):
    # given a procedure whose stored form points at a server we watch
    schema = {"type": "object", "properties": {"noi_dung_de_nghi": {"$ref": f"{listener.url}/x.json"}}}
    code = stored_procedure("1.009101.000.00.00.H53", schema)
    # when anonymous citizens start drafts for it
    answers = [create(submission_api, code) for _ in range(2)]
    # then each is a 422 problem about the form, and the server was never contacted
    assert [a.status for a in answers] == [422, 422], answers[0].text
    assert answers[0].json()["errors"][0]["field"] == "form_data"
    assert listener.calls == []


def test_a_file_ref_in_a_stored_schema_is_a_422_not_a_500(submission_api):
    schema = {"type": "object", "properties": {"noi_dung_de_nghi": {"$ref": "file:///etc/hostname"}}}
    answer = create(submission_api, stored_procedure("1.009102.000.00.00.H53", schema))
    assert answer.status == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_stored_evil_pattern_answers_at_once(submission_api):
    schema = {"type": "object", "properties": {"noi_dung_de_nghi": {"type": "string", "pattern": EVIL}}}
    code = stored_procedure("1.009103.000.00.00.H53", schema)
    answer = create(submission_api, code, form_data={"noi_dung_de_nghi": ATTACK})
    # the form is refused as unusable: the pattern was never run in a backtracking engine
    assert answer.status == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["form_data"]
