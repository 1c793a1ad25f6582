"""A year of finished dossiers loaded by `python -m infra history` is read by the console as if the
system had handled them: each opens by its code, sits in its agency's "returned" list, and the month's
statistics count it (an agency of a province of its own, so no other test's figures move)."""

from __future__ import annotations

import os
from datetime import datetime

from infra import history
from infra.tokens import mint
from services.core.clock import VN_TZ
from tests.apigw import call

AGENCY = "000.00.31.H99"
CATALOGUE = [
    {
        "code": f"2.00{n}.000.00.00.H99",
        "name": f"Thủ tục thử {n}",
        "level": 3,
        "agency": {"code": AGENCY, "name": "UBND Phường thử"},
        "processing_days": 3,
    }
    for n in range(3)
]


def test_the_console_reads_a_loaded_year(cloud, submission_api):
    from services.tracking.handlers import http

    report = history.load(
        os.environ["TABLE_NAME"], 40, seed=5, end=datetime(2026, 12, 1, 8, tzinfo=VN_TZ), catalogue=CATALOGUE
    )
    assert report.dossiers == 40 and report.items > 40 * 9
    leader = {"authorization": f"Bearer {mint(AGENCY, ['receiver', 'handler', 'leader'])}"}
    rows = call(http.handler, "GET", "/api/tracking/stats?from=2025-12&to=2026-12", headers=leader).json()[
        "rows"
    ]
    assert sum(r["received"] for r in rows) == 40
    assert sum(r["on_time"] + r["late"] for r in rows) == sum(r["processed"] for r in rows) == 40
    listed = call(
        http.handler, "GET", "/api/tracking/dossiers?status=RESULT_RETURNED&limit=50", headers=leader
    ).json()["items"]
    assert len(listed) == 40 and all(i["applicant_name"] for i in listed)
    opened = call(http.handler, "GET", f"/api/tracking/dossiers/{listed[0]['code']}", headers=leader).json()
    assert (
        opened["status"] == "RESULT_RETURNED"
        and len(opened["history"]) == 5
        and opened["applicant"]["full_name"]
    )
