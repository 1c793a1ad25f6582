"""The citizen's orders and result link as use cases, on the in-memory repository and fakes."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from services.core import keys
from services.core.errors import Conflict, Forbidden, NotFound
from tests.unit.test_payment_fakes import TERMINAL, TOKEN, dossier_meta, world


def test_an_order_is_made_for_the_fee_the_dossier_owes():
    # given a submitted dossier that owes 4,000,000 VND
    w = world()
    # when the citizen asks to pay
    view = w.orders.create_order("d1", TOKEN, "203.0.113.7")
    # then one pending order for that amount is kept, with a signed link to the gateway
    assert view["amount_vnd"] == 4_000_000 and view["status"] == "PENDING"
    assert list(w.store.items) == [view["txn_ref"]]
    stored = w.store.items[view["txn_ref"]]
    assert stored["dossier_code"] == "000.00.01.H60-261126-0001" and stored["GSI3PK"].startswith(
        "ALARM#payment#"
    )
    sent = dict(parse_qsl(urlsplit(view["pay_url"]).query))
    assert view["pay_url"].startswith(TERMINAL.pay_url)
    assert sent["vnp_Amount"] == "400000000" and sent["vnp_TxnRef"] == view["txn_ref"]
    assert sent["vnp_IpAddr"] == "203.0.113.7"


def test_the_same_open_order_is_offered_again():
    # given an order the citizen has not paid yet
    w = world()
    first = w.orders.create_order("d1", TOKEN, "203.0.113.7")
    # when they ask again a few minutes later
    w.clock.advance(minutes=5)
    again = w.orders.create_order("d1", TOKEN, "203.0.113.7")
    # then they get the same order, and no second attempt exists
    assert again["payment_id"] == first["payment_id"]
    assert len(w.store.items) == 1


def test_an_order_about_to_expire_is_replaced_by_a_new_one():
    # given an order with less than two minutes left
    w = world()
    first = w.orders.create_order("d1", TOKEN, "203.0.113.7")
    w.clock.advance(minutes=14)
    # when the citizen asks to pay, then a new order is made
    assert w.orders.create_order("d1", TOKEN, "203.0.113.7")["payment_id"] != first["payment_id"]


def test_a_paid_dossier_is_refused_an_order():
    # given a dossier already paid
    w = world(dossier_meta(payment_status="PAID"))
    # when the citizen asks to pay, then it is refused and nothing is kept
    with pytest.raises(Conflict, match="đã được thanh toán"):
        w.orders.create_order("d1", TOKEN, "203.0.113.7")
    assert w.store.items == {}


def test_a_dossier_whose_order_was_paid_is_refused_another_before_tracking_hears_of_it():
    # given a paid order, while the dossier still says its payment is pending
    w = world()
    first = w.orders.create_order("d1", TOKEN, "203.0.113.7")
    w.store.items[first["txn_ref"]]["status"] = "PAID"
    # when the citizen asks to pay again, then it is refused
    with pytest.raises(Conflict, match="đã được thanh toán"):
        w.orders.create_order("d1", TOKEN, "203.0.113.7")
    assert len(w.store.items) == 1


def test_a_dossier_without_a_fee_is_refused_an_order():
    w = world(dossier_meta(payment_status="NOT_REQUIRED", amount_due_vnd=0))
    with pytest.raises(Conflict, match="phí"):
        w.orders.create_order("d1", TOKEN, "203.0.113.7")


def test_an_order_needs_the_dossiers_own_token():
    w = world()
    with pytest.raises(Forbidden):
        w.orders.create_order("d1", "x" * 22, "203.0.113.7")
    with pytest.raises(NotFound):
        w.orders.create_order("d2", TOKEN, "203.0.113.7")


def test_an_order_is_shown_to_its_dossiers_citizen_without_a_link():
    # given an order
    w = world()
    made = w.orders.create_order("d1", TOKEN, "203.0.113.7")
    # when the citizen looks at it, then they see its state and no new link
    view = w.orders.order(made["payment_id"], TOKEN)
    assert view["status"] == "PENDING" and "pay_url" not in view
    with pytest.raises(NotFound):
        w.orders.order("P0", TOKEN)


def returned_online(w, etag: str = "etag-1") -> None:
    """The dossier returned online, with its DELIVERY part pinned to version v1 of its result."""
    meta = w.dossiers.get(keys.dossier("d1"))
    w.dossiers.put({**meta, "status": "RESULT_RETURNED"})
    w.dossiers.put(
        {
            **keys.dossier_part("d1", keys.DELIVERY),
            "method": "online",
            "code": meta["code"],
            "result_key": "results/d1/r1.pdf",
            "file_name": "Giay-phep.pdf",
            "content_type": "application/pdf",
            "result_sha256": "ab" * 32,
            "result_version_id": "v1",
            "result_etag": etag,
        }
    )


def test_a_returned_result_links_to_its_frozen_version():
    # given a result returned online whose version is still in the bucket
    w = world()
    returned_online(w)
    w.results.etags[("results/d1/r1.pdf", "v1")] = "etag-1"
    # when the citizen asks for it, then the link names that version
    link = w.orders.result_link("d1", TOKEN)
    assert link.startswith("https://results.test/results/d1/r1.pdf") and "versionId=v1" in link


def test_a_result_whose_frozen_version_changed_is_not_served():
    # given a result whose pinned version now has another ETag
    w = world()
    returned_online(w)
    w.results.etags[("results/d1/r1.pdf", "v1")] = "etag-2"
    # when the citizen asks for it, then they are told, and given no link
    with pytest.raises(Conflict, match="không khớp"):
        w.orders.result_link("d1", TOKEN)


def test_a_result_is_not_linked_before_it_was_returned():
    w = world()
    with pytest.raises(Conflict, match="chưa có kết quả"):
        w.orders.result_link("d1", TOKEN)
