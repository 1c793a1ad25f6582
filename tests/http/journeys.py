"""Citizens and officials using the started local cloud over HTTP, as the portal and the console do."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from infra.tokens import mint
from tests.factories import applicant, pdf_bytes
from tests.forms import fill

T = TypeVar("T")


def wait_for(check: Callable[[], T | None], timeout: float = 20.0, every: float = 0.2, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(every)


def procedure(api: httpx.Client, name: str) -> dict[str, Any]:
    items = api.get("/api/catalog/procedures", params={"q": name, "limit": 5}).json()["items"]
    code = next(i["code"] for i in items if i["name"] == name)
    return dict(api.get(f"/api/catalog/procedures/{code}").json())


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def official(agency: str, *roles: str, name: str = "Cán bộ Một Cửa") -> dict[str, str]:
    return auth(mint(agency, list(roles or ("receiver", "handler", "leader")), name=name))


def draft(
    api: httpx.Client, proc: dict[str, Any], method: str | None = None, **overrides: Any
) -> dict[str, Any]:
    body = {
        "procedure_code": proc["code"],
        "applicant": applicant(),
        "form_data": fill(proc["form_schema"]),
        "delivery": {
            "method": method or proc["delivery_methods"][0],
            "address": "Số 1 Lê Lợi, Phường 6, TP Sóc Trăng",
        },
        **overrides,
    }
    answer = api.post("/api/submission/dossiers", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def upload(
    api: httpx.Client,
    dossier: dict[str, Any],
    component: str,
    content: bytes,
    content_type: str = "application/pdf",
    declared: int | None = None,
    name: str = "giay-to.pdf",
) -> str:
    """Ask for a presigned POST and send the file straight to object storage, as the browser does."""
    grant = api.post(
        f"/api/submission/dossiers/{dossier['id']}/files",
        headers=auth(dossier["access_token"]),
        json={
            "component_id": component,
            "file_name": name,
            "content_type": content_type,
            "size": declared if declared is not None else len(content),
        },
    )
    assert grant.status_code == 201, grant.text
    upload = grant.json()["upload"]
    stored = httpx.post(
        upload["url"], data=upload["fields"], files={"file": (name, content, content_type)}, timeout=30
    )
    assert stored.status_code in (200, 201, 204), stored.text
    return str(grant.json()["file_id"])


def file_status(api: httpx.Client, dossier: dict[str, Any], file_id: str) -> dict[str, Any] | None:
    files = api.get(
        f"/api/submission/dossiers/{dossier['id']}", headers=auth(dossier["access_token"])
    ).json()["files"]
    found = next((f for f in files if f["file_id"] == file_id), None)
    return found if found and found["status"] != "PENDING" else None


def checked(api: httpx.Client, dossier: dict[str, Any], file_id: str) -> dict[str, Any]:
    return wait_for(lambda: file_status(api, dossier, file_id), what="the verifier")


def complete(api: httpx.Client, dossier: dict[str, Any], proc: dict[str, Any]) -> None:
    for component in proc["components"]:
        if component["required"]:
            assert (
                checked(api, dossier, upload(api, dossier, component["id"], pdf_bytes()))["status"]
                == "VERIFIED"
            )


def submit(api: httpx.Client, dossier: dict[str, Any]) -> dict[str, Any]:
    answer = api.post(
        f"/api/submission/dossiers/{dossier['id']}/submit", headers=auth(dossier["access_token"])
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def in_inbox(api: httpx.Client, agency: str, code: str) -> dict[str, Any] | None:
    items = api.get("/api/tracking/dossiers", params={"limit": 100}, headers=official(agency)).json()["items"]
    return next((i for i in items if i["code"] == code), None)


def act(api: httpx.Client, agency: str, code: str, action: str, **extra: Any) -> dict[str, Any]:
    version = api.get(f"/api/tracking/dossiers/{code}", headers=official(agency)).json()["version"]
    answer = api.post(
        f"/api/tracking/dossiers/{code}/actions",
        headers=official(agency),
        json={"action": action, "expected_version": version, **extra},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())
