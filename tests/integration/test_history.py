"""Issue 19, finding 8 (part): a dossier's history records who acted by the official's `sub` and agency,
not by the `name` of the token, which its holder may edit."""

from __future__ import annotations

import os

import pytest

from infra.tokens import mint
from services.core import keys
from services.core.dal import aws, ddb
from tests.apigw import call
from tests.integration.test_tracking import A, detail, submitted


@pytest.fixture(scope="module")
def api(cloud, submission_api):
    from services.tracking.handlers import http

    return http


def _history_items(dossier_id: str) -> list[dict]:
    found = aws.dynamodb().query(
        TableName=os.environ["TABLE_NAME"],
        KeyConditionExpression="PK = :pk AND begins_with(SK, :hist)",
        ExpressionAttributeValues={
            ":pk": {"S": keys.dossier_partition(dossier_id)},
            ":hist": {"S": keys.HISTORY_PREFIX},
        },
    )["Items"]
    return [ddb.deserialize(i) or {} for i in found]


def test_an_officials_action_is_recorded_by_sub_and_agency_not_by_name(api, cloud, submission_api):
    # given an official whose display name is one she chose (here, another official's name)
    dossier = submitted(cloud, submission_api)
    token = mint(A, ["receiver"], sub="3f2a9c1e-receiver-lan", name="Trần Văn Trưởng Phòng")
    # when she accepts a dossier
    accepted = call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{dossier['code']}/actions",
        headers={"authorization": f"Bearer {token}"},
        body={"action": "accept", "expected_version": detail(api, dossier["code"])["version"]},
    )
    assert accepted.status == 200, accepted.text
    # then the stored history entry names her by sub and agency; the name is kept only to be shown
    entry = next(h for h in _history_items(dossier["id"]) if h["action"] == "accept")
    assert entry["by"] == "3f2a9c1e-receiver-lan" and entry["agency"] == A and entry["actor"] == "official"
    assert entry["official"] == "Trần Văn Trưởng Phòng"
    # and the officials' view says the same
    shown = next(h for h in accepted.json()["history"] if h["action"] == "accept")
    assert shown["by"] == "3f2a9c1e-receiver-lan" and shown["agency"] == A


def test_a_citizens_request_is_recorded_by_citizen_not_by_a_display_label(api, cloud, submission_api):
    from services.core.events import Event, EventType
    from services.tracking.wiring import tracking

    # given a submitted dossier whose citizen asks to withdraw it
    dossier = submitted(cloud, submission_api)
    tracking().on_dossier_event(
        Event(type=EventType.WITHDRAWAL_REQUESTED, dossier_id=dossier["id"], data={"reason": "Nộp nhầm"})
    )
    # then the entry says the citizen acted
    entry = next(h for h in _history_items(dossier["id"]) if h["action"] == "withdraw")
    assert entry["by"] == "citizen" and entry["actor"] == "citizen"
