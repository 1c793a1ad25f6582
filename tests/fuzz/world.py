"""Real things on the started local cloud for generated requests to aim at, and the credentials to reach them.

Most generated cases get a valid token, and half of those the id of a real procedure, dossier, payment or
feedback, so fuzzing gets past authentication and lookups and exercises the handlers; the rest go out as
generated (no credentials or made-up ones, random ids). Which case gets what follows from a hash of the
case itself, so a run is reproducible and a failing case replays the same way while Hypothesis shrinks it.
"""

from __future__ import annotations

import copy
import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from infra.tokens import mint
from services.core.settings import DEV_VNPAY_HASH_SECRET, DEV_VNPAY_TMN_CODE
from services.payment.logic.vnpay import sign
from tests.factories import applicant
from tests.forms import fill
from tests.fuzz.tally import service_of
from tests.http.journeys import auth, complete, draft, procedure, submit

MARRIAGE = "Đăng ký kết hôn"  # level 3, free, commune
RECORD = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"  # level 4, a fee before processing
VIETNAM = timezone(timedelta(hours=7))
# the agency overseeing the province (its People's Committee office), as the seeded structure names it
OVERSIGHT = json.loads((Path(__file__).parents[2] / "infra/seed/structure.json").read_text())["oversight"][0]
PROVINCE_WIDE = ("/api/tracking/calendar", "/api/payment/reconciliation/")


@dataclass
class Dossier:
    id: str
    token: str
    procedure: dict[str, Any]
    code: str | None = None
    file_ids: list[str] = field(default_factory=list)


@dataclass
class World:
    url: str
    procedures: list[dict[str, Any]]  # whole records, levels 2 to 4, with form templates
    drafts: list[Dossier]  # the submission service's to play with: drafts and one submitted
    reserved: Dossier  # submitted, with a payment order: for the payment and tracking services
    payment: dict[str, Any]  # payment_id, txn_ref, amount_vnd
    feedback_id: str
    agencies: list[str]
    official: str  # receiver, handler and leader of the reserved dossier's agency
    overseer: str  # a leader of the agency overseeing the province: the calendar, the reconciliation report
    catalog_admin: str
    calendar: dict[str, list[str]]
    draft_bodies: list[dict[str, Any]]
    tokens: dict[str, str] = field(default_factory=dict)  # dossier id or code -> its access token
    cursors: dict[str, str] = field(default_factory=dict)  # a real next_cursor of each list, by path

    def __post_init__(self) -> None:
        for dossier in [*self.drafts, self.reserved]:
            self.tokens[dossier.id] = dossier.token
            if dossier.code:
                self.tokens[dossier.code] = dossier.token


def build_world(url: str) -> World:
    with httpx.Client(base_url=url, timeout=30) as api:
        marriage, record = procedure(api, MARRIAGE), procedure(api, RECORD)
        level2 = api.get("/api/catalog/procedures", params={"level": 2, "limit": 5}).json()["items"]
        procedures = [marriage, record]
        procedures += [api.get(f"/api/catalog/procedures/{p['code']}").json() for p in level2]
        drafts = [_draft_with_a_file(api, marriage), _draft_with_a_file(api, record)]
        drafts.append(_submitted(api, marriage))
        reserved = _submitted(api, record)
        _submitted(api, record)  # a second page in the official's inbox, for its cursor
        payment = api.post(
            "/api/payment/payments", headers=auth(reserved.token), json={"dossier_id": reserved.id}
        )
        assert payment.status_code == 201, payment.text
        feedbacks = [_feedback(api, record, reserved) for _ in range(4)]
        agency = record["agency"]["code"]
        official = mint(agency, ["receiver", "handler", "leader"], name="Cán bộ kiểm thử")
        for answered in feedbacks[2:]:  # two pages of public feedback, two of open ones
            reply = api.post(
                f"/api/tracking/feedback/{answered}/answer",
                headers=auth(official),
                json={"answer": "Cơ quan đã tiếp nhận và trả lời phản ánh.", "public": True},
            )
            assert reply.status_code == 200, reply.text
        calendar = api.get("/api/tracking/calendar", headers=auth(official))
        assert calendar.status_code == 200, calendar.text
        agencies = [a["code"] for a in api.get("/api/tracking/agencies").json()]
        overseer = mint(OVERSIGHT, ["receiver", "handler", "leader"], name="Văn phòng UBND tỉnh")
        cursors = _issued_cursors(api, official)
    return World(
        url=url,
        procedures=procedures,
        drafts=drafts,
        reserved=reserved,
        payment=payment.json(),
        feedback_id=feedbacks[0],
        agencies=agencies,
        official=official,
        overseer=overseer,
        catalog_admin=mint(agency, ["catalog_admin"], name="Quản trị danh mục"),
        calendar=calendar.json(),
        draft_bodies=[_draft_body(p) for p in (marriage, record)],
        cursors=cursors,
    )


def _issued_cursors(api: httpx.Client, official: str) -> dict[str, str]:
    """The first page's next_cursor of each list that has a second page: what crafted cursors start from."""
    lists = [
        ("/api/catalog/procedures", {}),
        ("/api/tracking/dossiers", auth(official)),
        ("/api/tracking/feedback/open", auth(official)),
        ("/api/tracking/feedback", {}),
    ]
    found = {}
    for path, headers in lists:
        answer = api.get(path, params={"limit": 1}, headers=headers)
        assert answer.status_code == 200, answer.text
        if answer.json().get("next_cursor"):
            found[path] = answer.json()["next_cursor"]
    return found


def _feedback(api: httpx.Client, proc: dict[str, Any], about: Dossier) -> str:
    answer = api.post(
        "/api/tracking/feedback",
        json={
            "title": "Thời gian giải quyết",
            "content": "Hồ sơ của tôi đã quá hạn nhưng chưa nhận được phiếu xin lỗi.",
            "contact": "lan.nguyen@example.vn",
            "procedure_code": proc["code"],
            "dossier_code": about.code,
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def restore_calendar(world: World) -> None:
    """The fuzzer may declare days off; the tests after it count working days on the real calendar."""
    answer = httpx.put(
        f"{world.url}/api/tracking/calendar", headers=auth(world.overseer), json=world.calendar, timeout=30
    )
    assert answer.status_code == 200, answer.text


def _draft_body(proc: dict[str, Any]) -> dict[str, Any]:
    return {
        "procedure_code": proc["code"],
        "applicant": applicant(),
        "form_data": fill(proc["form_schema"]),
        "delivery": {"method": proc["delivery_methods"][0], "address": "Số 1 Lê Lợi, Phường 6, TP Sóc Trăng"},
    }


def _draft_with_a_file(api: httpx.Client, proc: dict[str, Any]) -> Dossier:
    created = draft(api, proc)
    dossier = Dossier(created["id"], created["access_token"], proc)
    grant = api.post(
        f"/api/submission/dossiers/{dossier.id}/files",
        headers=auth(dossier.token),
        json={
            "component_id": proc["components"][0]["id"],
            "file_name": "don.pdf",
            "content_type": "application/pdf",
            "size": 2048,
        },
    )
    assert grant.status_code == 201, grant.text
    dossier.file_ids.append(grant.json()["file_id"])
    return dossier


def _submitted(api: httpx.Client, proc: dict[str, Any]) -> Dossier:
    created = draft(api, proc)
    dossier = Dossier(created["id"], created["access_token"], proc)
    as_dict = {"id": dossier.id, "access_token": dossier.token}
    complete(api, as_dict, proc)
    dossier.code = submit(api, as_dict)["code"]
    return dossier


# -- shaping a generated case ------------------------------------------------------------------------------


def fingerprint(case: Any) -> int:
    parts = [case.method, case.path, case.path_parameters, case.query, case.headers, case.body]
    return zlib.crc32(json.dumps(parts, sort_keys=True, default=repr).encode())


def schemes(case: Any) -> set[str]:
    return {name for requirement in case.operation.definition.raw.get("security", []) for name in requirement}


class Shaper:
    """Gives a generated case credentials and, for some, real ids; see the module's docstring."""

    def __init__(self, world: World):
        self.world = world

    def shape(self, case: Any) -> None:
        mark = fingerprint(case)
        variant = mark % 8
        if variant < 2:
            return  # as generated
        dossier = self._dossier(case, mark)
        if variant >= 4:
            self._aim(case, dossier, mark)
        self.authorize(case, dossier)

    def authorize(
        self, case: Any, dossier: Dossier | None = None, learned: dict[str, str] | None = None
    ) -> None:
        found = schemes(case)
        token = None
        if "officialJWT" in found:
            token = self.world.catalog_admin if service_of(case) == "catalog" else self.world.official
            if case.path.startswith(PROVINCE_WIDE) and fingerprint(case) % 2:
                token = self.world.overseer  # half as the overseer; the other half meet the 403
        elif "dossierToken" in found:
            params = case.path_parameters or {}
            known = {**self.world.tokens, **(learned or {})}
            key = params.get("dossier_id") or params.get("code") or params.get("payment_id")
            if isinstance(case.body, dict) and isinstance(case.body.get("dossier_id"), str):
                key = key or case.body["dossier_id"]
            token = known.get(str(key)) if key is not None else None
            token = token or (dossier or self.world.reserved).token
        if token is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    def draft_body(self, case: Any) -> None:
        """A citizen's valid draft, so the creation succeeds and what follows it has a dossier to work on."""
        if case.method.upper() == "POST" and case.path == "/api/submission/dossiers":
            bodies = self.world.draft_bodies
            case.body = copy.deepcopy(bodies[fingerprint(case) % len(bodies)])

    def _dossier(self, case: Any, mark: int) -> Dossier:
        if service_of(case) == "submission":
            return self.world.drafts[mark // 8 % len(self.world.drafts)]
        return self.world.reserved

    def _aim(self, case: Any, dossier: Dossier, mark: int) -> None:
        service = service_of(case)
        params = dict(case.path_parameters or {})
        with_forms = [p for p in self.world.procedures if p["forms"]]
        proc = with_forms[mark // 8 % len(with_forms)] if "form_id" in params else None
        proc = proc or self.world.procedures[mark // 8 % len(self.world.procedures)]
        for name in params:
            if name == "dossier_id":
                params[name] = dossier.id
            elif name == "file_id" and dossier.file_ids:
                params[name] = dossier.file_ids[0]
            elif name == "code":
                params[name] = proc["code"] if service == "catalog" else dossier.code
            elif name == "form_id" and proc["forms"]:
                params[name] = proc["forms"][0]["id"]
            elif name == "payment_id":
                params[name] = self.world.payment["payment_id"]
            elif name == "feedback_id":
                params[name] = self.world.feedback_id
            elif name == "day":
                params[name] = datetime.now(VIETNAM).date().isoformat()
        case.path_parameters = params
        if case.path.startswith("/api/payment/vnpay/"):
            self._gateway_callback(case, mark)
        elif case.path == "/api/submission/dossiers":
            self.draft_body(case)
        elif isinstance(case.body, dict):
            self._aim_body(case, dossier, mark)

    def _gateway_callback(self, case: Any, mark: int) -> None:
        """The real order, signed with the local terminal's secret: the callback gets past the signature."""
        query = dict(case.query or {})
        if not all(isinstance(v, str) for v in query.values()):
            return
        outcome = ("00", "24", "51")[mark // 8 % 3]
        query.update(
            {
                "vnp_TxnRef": self.world.payment["txn_ref"],
                "vnp_TmnCode": DEV_VNPAY_TMN_CODE,
                "vnp_ResponseCode": outcome,
                "vnp_TransactionStatus": outcome,
            }
        )
        if mark // 24 % 2:
            query["vnp_Amount"] = str(self.world.payment["amount_vnd"] * 100)
        query["vnp_SecureHash"] = sign(query, DEV_VNPAY_HASH_SECRET)
        case.query = query

    def _aim_body(self, case: Any, dossier: Dossier, mark: int) -> None:
        body = case.body
        if "component_id" in body:
            body["component_id"] = dossier.procedure["components"][0]["id"]
        if "dossier_id" in body:
            body["dossier_id"] = dossier.id
        if "dossier_code" in body:
            body["dossier_code"] = dossier.code
        if "procedure_code" in body:
            body["procedure_code"] = dossier.procedure["code"]
        if "to_agency" in body:
            body["to_agency"] = self.world.agencies[mark // 8 % len(self.world.agencies)]
        if case.path.endswith("/actions"):
            self._next_step(body, dossier, mark)

    def _next_step(self, body: dict[str, Any], dossier: Dossier, mark: int) -> None:
        """An action the dossier allows now, at its current version, so the workflow itself is exercised
        rather than only the conflict answers. Refusing, stopping and forwarding would end the walk for this
        agency after a step or two, so they are left to the generated cases."""
        current = httpx.get(
            f"{self.world.url}/api/tracking/dossiers/{dossier.code}",
            headers=auth(self.world.official),
            timeout=30,
        )
        if current.status_code != 200:
            return
        detail = current.json()
        body["expected_version"] = detail["version"]
        allowed = [a for a in detail["allowed_actions"] if a not in ("refuse", "stop", "forward")]
        if not allowed:
            return
        body["action"] = allowed[mark // 8 % len(allowed)]
        if body["action"] == "complete":
            body["outcome"] = ("approved", "denied")[mark // 24 % 2]
        elif body["action"] == "apologize":
            body["new_due_at"] = (datetime.now(VIETNAM) + timedelta(days=10)).isoformat()
