"""What officials read, on the in-memory repository: the detail built from the one dossier view, and the
inbox lines built from the attributes the inbox indexes project."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.core.errors import Forbidden, NotFound
from services.core.views import OfficialHistoryLine
from services.tracking.logic.queries import inbox_item
from services.tracking.models.api import ActionRequest, DossierDetail
from tests.unit.tracking_fakes import CODE, MONDAY, A, B, World, dossier_items, official


def test_the_detail_shows_what_the_citizen_declared_from_the_content_part_with_the_documents_names():
    # given a submitted dossier whose declaration is kept in its CONTENT part
    world = World()
    world.given(*dossier_items(current_agency=A))
    # when the ward's official opens it
    view = world.tracking.queries.detail(official(A), CODE)
    # then the applicant, form and delivery are the declared ones
    assert view["applicant"]["full_name"] == "Nguyễn Thị Lan" and view["delivery"] == {"method": "online"}
    assert view["form_data"] == {"ly_do": "Giám hộ cho cháu"}
    # and each file is named by the document it answers, with a link once verified
    assert [(f["name"], f["url"]) for f in view["files"]] == [
        ("Tờ khai đăng ký giám hộ", "https://uploads.test/uploads/d1/f0.pdf"),
        ("Văn bản cử người giám hộ", "https://uploads.test/uploads/d1/f1.pdf"),
    ]
    # and the officials' own fields are there, and the whole answers the API's model
    assert view["receiving_agency"] == {"code": A, "name": "UBND Phường 6"}
    assert view["allowed_actions"] == ["accept", "refuse", "request_supplement"]
    DossierDetail.model_validate(view)


def test_the_detail_of_an_older_dossier_reads_its_declaration_from_meta():
    # given a dossier written before the CONTENT part existed
    world = World()
    world.given(*dossier_items(content=False, current_agency=A))
    # when it is opened
    view = world.tracking.queries.detail(official(A), CODE)
    # then the declaration comes from META
    assert (
        view["applicant"]["id_number"] == "079123456789"
        and view["files"][0]["name"] == "Tờ khai đăng ký giám hộ"
    )


def test_an_official_sees_who_acted_in_each_history_line():
    # given a dossier an official accepted
    world = World()
    world.given(*dossier_items())
    accept = ActionRequest(action="accept", expected_version=1)
    world.tracking.actions.act(official(A, sub="sub-khoa", name="Phạm Khoa"), CODE, accept)
    # when it is opened
    history = world.tracking.queries.detail(official(A), CODE)["history"]
    # then the line names who acted, as the officials' history model has it
    line = OfficialHistoryLine.model_validate(history[-1])
    assert (line.by, line.official, line.actor, line.to_status) == (
        "sub-khoa",
        "Phạm Khoa",
        "official",
        "ACCEPTED",
    )


def test_another_agency_is_refused_and_an_unknown_code_is_not_found():
    # given a dossier with the ward
    world = World()
    world.given(*dossier_items(current_agency=A))
    # when the city opens it, or anyone opens a code that does not exist
    # then the city is refused, the code not found
    with pytest.raises(Forbidden):
        world.tracking.queries.detail(official(B), CODE)
    with pytest.raises(NotFound):
        world.tracking.queries.detail(official(A), "000.00.31.H53-261130-9999")


def test_an_inbox_line_takes_the_applicants_name_from_the_index_entry():
    # given an index entry with only the projected attributes
    entry = {
        "code": CODE,
        "procedure_code": "P",
        "procedure_name": "Đăng ký giám hộ",
        "applicant_name": "Nguyễn Thị Lan",
        "status": "SUPPLEMENT_REQUESTED",
        "version": 3,
        "due_at": "2026-11-29T17:00:00+07:00",
        "paused_at": "2026-11-28T08:00:00+07:00",
    }
    # when it is listed
    line = inbox_item(entry, MONDAY)
    # then it names the applicant, waits for the citizen, and a paused dossier is not overdue
    assert (line["applicant_name"], line["waiting"], line["overdue"]) == ("Nguyễn Thị Lan", True, False)


def test_an_inbox_line_of_an_older_entry_takes_the_name_from_its_applicant():
    # given an entry written before META carried the applicant's name
    entry = {
        "code": CODE,
        "procedure_code": "P",
        "procedure_name": "Đăng ký giám hộ",
        "applicant": {"full_name": "Lê Văn Minh"},
        "status": "IN_PROCESS",
        "version": 3,
        "due_at": "2026-11-29T17:00:00+07:00",
    }
    # when it is listed
    line = inbox_item(entry, datetime.fromisoformat("2026-11-30T08:00:00+07:00"))
    # then the name is the applicant's, and it is overdue
    assert (line["applicant_name"], line["overdue"]) == ("Lê Văn Minh", True)
