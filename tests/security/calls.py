"""Real requests to every route: the path, query and body that the right credential would see through,
aimed at the world's data; and the credentials the routes admit.

A new route that takes a path parameter, a required query parameter or a body this module does not
know fails the security tests until it is described here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from infra.tokens import mint
from tests.apigw import Answer
from tests.factories import applicant
from tests.integration.flows import LEVEL3
from tests.security.routes import CITIZEN, OFFICIAL, RouteInfo
from tests.security.world import A, Dossier, World, procedure_record

STAFF = ("receiver", "handler", "leader")
# path parameters that name one of agency A's dossiers or feedback: another agency may not touch them
OWNED = {"dossier_id", "file_id", "payment_id", "code", "feedback_id"}
VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
# Which of the world's dossiers each route acts on, in the state where the right credential succeeds.
TARGET = {
    "GET /api/submission/dossiers/{dossier_id}": "draft",
    "PUT /api/submission/dossiers/{dossier_id}": "draft",
    "POST /api/submission/dossiers/{dossier_id}/files": "draft",
    "DELETE /api/submission/dossiers/{dossier_id}/files/{file_id}": "draft",
    "POST /api/submission/dossiers/{dossier_id}/submit": "draft",
    "POST /api/submission/dossiers/{dossier_id}/supplement": "supplement_requested",
    "POST /api/payment/payments": "fee_due",
    "GET /api/payment/payments/{payment_id}": "fee_due",
    "GET /api/payment/dossiers/{dossier_id}/result": "result_returned",
    "POST /api/tracking/dossiers/{code}/rating": "result_returned",
}
DEFAULT_TARGET = "submitted"


@cache
def token_of(agency: str, roles: tuple[str, ...], **claims: Any) -> str:
    """A genuine official's token (signed with the dev key), made once: signing is the slow part."""
    return mint(agency, list(roles), **claims)


def right_credential(route: RouteInfo, target: Any) -> dict[str, str]:
    if route.access == CITIZEN:
        return {"authorization": f"Bearer {target.access_token}"}
    if route.access == OFFICIAL:
        return {"authorization": f"Bearer {token_of(A, route.roles)}"}
    return {}


# -- requests ---------------------------------------------------------------------------------------------


def _month() -> str:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")


Builder = Callable[[World, Any, bool], Any]

PATH: dict[str, Builder] = {
    "dossier_id": lambda w, t, positive: t.id,
    "file_id": lambda w, t, positive: t.file_id,
    "payment_id": lambda w, t, positive: t.payment_id,
    "code": lambda w, t, positive: t.code,  # the tracking service's dossier code
    "feedback_id": lambda w, t, positive: w.feedback() if positive else w.shared("feedback"),
    "day": lambda w, t, positive: w.report_day,
}
QUERY: dict[str, Builder] = {"from": lambda w, t, p: _month(), "to": lambda w, t, p: _month()}


def _calendar(world: World, positive: bool) -> dict[str, list[str]]:
    current = world.call(
        "tracking", "GET", "/api/tracking/calendar", headers={"authorization": f"Bearer {token_of(A, STAFF)}"}
    ).json()
    if positive:
        return current  # the leader saves it unchanged
    # a day nobody else adds: had the request been let through, the table would show it
    return {**current, "days_off": [*current["days_off"], f"2031-{1 + uuid.uuid4().int % 12:02d}-15"]}


def _version(world: World, target: Dossier) -> int:
    if "version" not in target.extra:
        target.extra["version"] = world.version(target)
    return int(target.extra["version"])


# Bodies that would change something real had the request been let through.
BODIES: dict[str, Builder] = {
    "POST /api/catalog/import": lambda w, t, p: [procedure_record()],
    "POST /api/submission/dossiers": lambda w, t, p: {
        "procedure_code": LEVEL3,
        "applicant": applicant(),
        "form_data": {"noi_dung_de_nghi": "Đăng ký giám hộ"},
        "delivery": {"method": "in_person"},
    },
    "POST /api/tracking/feedback": lambda w, t, p: {
        "title": "Thái độ phục vụ",
        "content": "Cán bộ một cửa hướng dẫn tận tình, chu đáo.",
        "contact": "0912345678",
    },
    "PUT /api/submission/dossiers/{dossier_id}": lambda w, t, p: {
        "applicant": applicant(full_name="Trần Văn Sửa"),
        "form_data": {"noi_dung_de_nghi": "Nội dung đã sửa"},
        "delivery": {"method": "in_person"},
    },
    "POST /api/submission/dossiers/{dossier_id}/files": lambda w, t, p: {
        "component_id": t.components[0],
        "file_name": "ban-sao.pdf",
        "content_type": "application/pdf",
        "size": 2048,
    },
    "POST /api/submission/dossiers/{dossier_id}/supplement": lambda w, t, p: {"note": "Đã bổ sung giấy tờ"},
    "POST /api/submission/dossiers/{dossier_id}/withdraw": lambda w, t, p: {"reason": "Không còn nhu cầu"},
    "POST /api/payment/payments": lambda w, t, p: {"dossier_id": t.id},
    "POST /api/tracking/dossiers/{code}/actions": lambda w, t, p: {
        "action": "accept",
        "expected_version": _version(w, t),
    },
    "POST /api/tracking/dossiers/{code}/result-files": lambda w, t, p: {
        "file_name": "Ket-qua.pdf",
        "content_type": "application/pdf",
        "size": 2048,
    },
    "POST /api/tracking/feedback/{feedback_id}/answer": lambda w, t, p: {
        "answer": "Cơ quan đã trả kết quả cho công dân.",
        "public": True,
    },
    "POST /api/tracking/dossiers/{code}/rating": lambda w, t, p: {"score": 5, "comment": "Hài lòng"},
    "PUT /api/tracking/calendar": lambda w, t, p: _calendar(w, p),
}


def target_of(route: RouteInfo, world: World, positive: bool) -> Any:
    kind = TARGET.get(route.key, DEFAULT_TARGET)
    acts_on_a_dossier = route.key in TARGET or bool(set(route.path_params) & (OWNED - {"feedback_id"}))
    if positive and route.writes and acts_on_a_dossier:
        return world.make(kind)  # a fresh one: what the positive control changes, no cell sees
    return world.shared(kind)


def request(route: RouteInfo, world: World, target: Any, positive: bool) -> tuple[str, Any]:
    path = route.path
    for name in route.path_params:
        if name not in PATH:
            pytest.fail(f"{route.label}: no real value for path parameter {name!r}; add one to PATH")
        path = path.replace(f"{{{name}}}", str(PATH[name](world, target, positive)))
    query = []
    for name in route.required_query:
        if name not in QUERY:
            pytest.fail(f"{route.label}: no real value for query parameter {name!r}; add one to QUERY")
        query.append(f"{name}={QUERY[name](world, target, positive)}")
    url = f"{path}?{'&'.join(query)}" if query else path
    if not route.body:
        return url, None
    if route.key not in BODIES:
        pytest.fail(f"{route.label}: no real request body; add one to BODIES")
    return url, BODIES[route.key](world, target, positive)


CODES = {401: "unauthorized", 403: "forbidden", 413: "payload_too_large"}


def assert_problem(answer: Answer, status: int) -> None:
    """An RFC 9457 problem document with the status, its stable code and a Vietnamese `detail`."""
    assert answer.status == status, f"expected {status}, got {answer.status}: {answer.text[:500]}"
    assert answer.headers.get("content-type", "").startswith("application/problem+json"), answer.headers
    body = answer.json()
    assert body["status"] == status
    assert body["code"] == CODES[status]
    assert body["type"] and body["title"]
    assert VIETNAMESE.search(body["detail"]), f"detail is not Vietnamese: {body['detail']!r}"
    if status == 401:
        assert answer.headers.get("www-authenticate", "").startswith("Bearer"), answer.headers
