"""GSI1 and GSI2 keep only the attributes serverless.yml lists (INCLUDE): every reader of those indexes
must get from an index entry what it would get from the whole item, or an inbox line, a payment order
or a public petition would silently lose a field when the projection is narrowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from infra import sls
from services.core import keys
from services.core.clock import iso
from services.tracking.logic import feedback, inbox, queries
from tests.unit.tracking_fakes import MONDAY, dossier_items


def projection(index: str) -> set[str] | None:
    table = sls.load().resources["Table"]["Properties"]
    found = next(i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == index)
    if found["Projection"]["ProjectionType"] == "ALL":
        return None
    return {
        "PK",
        "SK",
        f"{index}PK",
        f"{index}SK",
        "GSI1PK" if index == "GSI1" else "GSI2PK",
        *found["Projection"]["NonKeyAttributes"],
    }


def entry(item: dict[str, Any], index: str) -> dict[str, Any]:
    kept = projection(index)
    assert kept is not None, f"{index} projects ALL: every dossier write is copied whole"
    return {k: v for k, v in item.items() if k in kept or k.startswith(index)}


def busy_meta() -> dict[str, Any]:
    """A dossier's META late in its life, with every kind of attribute a change leaves on it."""
    meta = next(i for i in dossier_items() if i["SK"] == keys.META)
    meta.update(
        {
            "status": "IN_PROCESS",
            "version": 6,
            "current_agency": meta["agency"],
            "current_agency_name": meta["agency_name"],
            "due_at": iso(MONDAY - timedelta(hours=2)),
            "due_soon": True,
            "accepted_at": iso(MONDAY - timedelta(days=3)),
            "amount_due_vnd": 0,
            "supplement_round": 1,
            "supplement_note": "Bổ sung bản sao giấy khai sinh",
            "result_sha256": "ab" * 32,
            "delivery_method": "online",
        }
    )
    index, _ = inbox.index_keys(meta)
    return {**meta, **index}


@pytest.mark.parametrize("index", ["GSI1", "GSI2"])
def test_an_inbox_line_reads_the_same_from_the_index_as_from_the_dossier(index):
    meta = busy_meta()
    whole = queries.inbox_item(meta, MONDAY)
    assert queries.inbox_item(entry(meta, index), MONDAY) == whole
    assert whole["applicant_name"] == "Nguyễn Thị Lan" and whole["overdue"] is True


def test_the_index_entry_leaves_out_what_the_inbox_does_not_show():
    kept = entry(busy_meta(), "GSI1")
    for heavy in ("applicant", "form_data", "documents", "token_hash", "supplement_note", "result_sha256"):
        assert heavy not in kept


@pytest.mark.parametrize("index", ["GSI1", "GSI2"])
def test_a_petition_reads_the_same_from_the_index(index):
    petition = {
        **keys.feedback("f1"),
        **keys.public_feedback("2026-12-01T09:00:00.000+07:00", "f1"),
        **keys.open_feedback("000.00.31.H53", "2026-11-30T09:00:00.000+07:00", "f1"),
        "id": "f1",
        "title": "Thời gian trả kết quả",
        "content": "Hồ sơ của tôi trả chậm hai ngày.",
        "contact": "0901234567",
        "procedure_code": "1.000893.000.00.00.H53",
        "agency": "000.00.31.H53",
        "created_at": "2026-11-30T09:00:00.000+07:00",
        "answer": "Đã xin lỗi và trả kết quả.",
        "answered_at": "2026-12-01T09:00:00.000+07:00",
        "answered_by_agency": "000.00.31.H53",
    }
    assert feedback.feedback_view(entry(petition, index)) == feedback.feedback_view(petition)
    assert "contact" not in entry(petition, index)  # the petitioner's contact stays off the lists


@pytest.mark.parametrize("index", ["GSI1", "GSI2"])
def test_a_payment_order_keeps_what_its_readers_use(index):
    # reused orders (create order), refunds and the daily report read orders from these indexes
    used = {
        "payment_id",
        "txn_ref",
        "dossier_id",
        "dossier_code",
        "amount_vnd",
        "status",
        "created_at",
        "create_date",
        "expires_at",
        "order_info",
        "ip_address",
        "transaction_no",
        "duplicate",
    }
    order = {**keys.payment("P1"), **keys.payment_by_dossier("d1", "t"), **{name: "x" for name in used}}
    order.update(keys.payment_by_day("2026-12-01", "t", "P1"))
    assert used <= set(entry(order, index))
