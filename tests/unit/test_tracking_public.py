"""The public lookup and the citizen's rating, on the in-memory repository: a code alone tells only the
status, the receipt's check code or the dossier's token tell more, and a dossier is rated once."""

from __future__ import annotations

import pytest

from services.core import keys
from services.core.errors import Conflict, Forbidden, NotFound
from services.core.lookup import check_code
from services.tracking.models.api import RatingRequest
from tests.unit.tracking_fakes import CHECK_KEY, CODE, TOKEN, World, dossier_items


def test_a_code_alone_tells_only_the_status():
    # given a submitted dossier
    world = World()
    world.given(*dossier_items())
    # when anyone looks its code up
    found = world.tracking.public.lookup(CODE)
    # then they learn that it exists and its status, nothing of who applied for what
    assert found == {"code": CODE, "status": "SUBMITTED", "status_label": "Mới đăng ký"}


def test_the_receipts_check_code_tells_the_record_with_the_applicants_initials():
    # given a submitted dossier and the check printed on its receipt
    world = World()
    world.given(*dossier_items(due_at="2026-12-03T08:00:00+07:00"))
    # when it is looked up with that check
    found = world.tracking.public.lookup(CODE, check_code(CODE, CHECK_KEY))
    # then the procedure, the agency, the dates and the applicant's initials are shown
    assert found["procedure_name"] == "Đăng ký giám hộ" and found["agency_name"] == "UBND Phường 6"
    assert found["due_at"] == "2026-12-03T08:00:00+07:00"
    assert found["applicant_masked"] == "N. T. L."


def test_a_wrong_check_code_is_no_check_code():
    # given a submitted dossier
    world = World()
    world.given(*dossier_items())
    # when it is looked up with a check of another dossier
    found = world.tracking.public.lookup(CODE, check_code("000.00.31.H53-261130-0002", CHECK_KEY))
    # then only the status is told
    assert set(found) == {"code", "status", "status_label"}


def test_the_dossiers_own_token_tells_the_record_too():
    # given a submitted dossier
    world = World()
    world.given(*dossier_items())
    # when its citizen looks it up with the dossier's token
    found = world.tracking.public.lookup(CODE, token=TOKEN)
    # then the record is shown
    assert found["applicant_masked"] == "N. T. L."


def test_the_initials_of_an_older_dossier_come_from_its_applicant_record():
    # given a dossier written before META carried the applicant's name
    world = World()
    items = dossier_items(content=False)
    del items[0]["applicant_name"]
    items[0]["applicant"] = {"full_name": "Lê Văn Minh"}
    world.given(*items)
    # when it is looked up with its check
    found = world.tracking.public.lookup(CODE, check_code(CODE, CHECK_KEY))
    # then the initials are those of the applicant recorded on it
    assert found["applicant_masked"] == "L. V. M."


def test_an_unknown_code_is_not_found():
    # given no dossier with that code
    world = World()
    # when it is looked up
    # then the answer is 404
    with pytest.raises(NotFound):
        world.tracking.public.lookup("000.00.31.H53-261130-9999")


def returned(world: World) -> None:
    world.given(*dossier_items(status="RESULT_RETURNED", version=8, current_agency="000.00.20.H53"))


def test_a_returned_dossier_is_rated_once():
    # given a returned dossier
    world = World()
    returned(world)
    # when its citizen rates it, then tries again
    first = world.tracking.public.rate(CODE, TOKEN, RatingRequest(score=4, comment="Nhanh"))
    with pytest.raises(Conflict) as again:
        world.tracking.public.rate(CODE, TOKEN, RatingRequest(score=1))
    # then the first rating is kept, for the agency that returned it, and the second refused (409)
    assert first["score"] == 4 and again.value.status == 409
    rating = world.dossiers.get(keys.dossier_part("d1", keys.RATING))
    assert rating is not None and (rating["score"], rating["agency"]) == (4, "000.00.20.H53")
    # and the dossier itself is unchanged
    assert world.dossiers.meta()["version"] == 8


def test_a_dossier_not_returned_yet_cannot_be_rated():
    # given a dossier still submitted
    world = World()
    world.given(*dossier_items())
    # when its citizen rates it
    with pytest.raises(Conflict):
        world.tracking.public.rate(CODE, TOKEN, RatingRequest(score=5))
    # then no rating is stored
    assert world.dossiers.get(keys.dossier_part("d1", keys.RATING)) is None


def test_only_the_dossiers_token_rates_it():
    # given a returned dossier
    world = World()
    returned(world)
    # when someone rates it with another token
    with pytest.raises(Forbidden):
        world.tracking.public.rate(CODE, "another-dossiers-token-000", RatingRequest(score=1))
    # then no rating is stored
    assert world.dossiers.get(keys.dossier_part("d1", keys.RATING)) is None
