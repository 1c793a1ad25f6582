"""Every operation of every service, with generated requests: no 5xx, and every answer as documented.

The checks: not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance (the documented status, media type and body, problem details included).
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import requests
import schemathesis

from tests.fuzz.tally import Tally
from tests.fuzz.world import Shaper, schemes

pytestmark = pytest.mark.http

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_answers_within_its_contract(case: Any, shaper: Shaper, tally: Tally) -> None:
    shaper.shape(case)
    try:
        response = case.call()
    except requests.RequestException as exc:  # a timeout or a dropped connection is a failure too
        tally.failure(case, None, exc)
        raise
    tally.response(case, response.status_code)
    try:
        case.validate_response(response)
    except BaseException as exc:
        tally.failure(case, response.status_code, exc)
        raise


def test_linked_operations_hold_their_contract(
    api_schema: Any, shaper: Shaper, tally: Tally, scenario_settings: hypothesis.settings
) -> None:
    """Scenarios along the links Schemathesis infers from the schemas: create a draft, read it, change it,
    ask for an upload, submit; search the catalogue, open a procedure, download its form; create a payment
    and read it back; answer a feedback."""

    class Scenario(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.learned: dict[str, str] = {}  # dossier or payment id -> the citizen token it answers to

        def before_call(self, case: Any) -> None:
            shaper.draft_body(case)
            shaper.authorize(case, learned=self.learned)

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            tally.response(case, response.status_code, stateful=True)
            body = _json(response)
            token = (case.headers or {}).get("Authorization", "").removeprefix("Bearer ")
            if "access_token" in body and "id" in body:
                self.learned[str(body["id"])] = str(body["access_token"])
            elif "payment_id" in body and "dossierToken" in schemes(case) and token:
                self.learned[str(body["payment_id"])] = token

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            try:
                super().validate_response(response, case, *args, **kwargs)
            except BaseException as exc:
                tally.failure(case, response.status_code, exc)
                raise

    Scenario.run(settings=scenario_settings)


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
