"""Pagination cursors are opaque and tamper-evident, and good only for the list that issued them."""

import base64
import json

import pytest

from services.core.cursors import Cursors, InvalidCursor
from services.tracking.logic import inbox

CURSORS = Cursors(b"k" * 32)
INBOX = "INBOX#000.00.31.H53"
LAST_KEY = {
    "PK": {"S": "DOSSIER#d1"},
    "SK": {"S": "META"},
    "GSI1PK": {"S": INBOX},
    "GSI1SK": {"S": "2026-12-01T17:00:00+07:00#000.00.31.H53-261126-0001"},
}


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_an_issued_cursor_reads_back_for_its_own_list_only():
    cursor = CURSORS.issue("list-a", {"o": 40})
    assert CURSORS.read("list-a", cursor) == {"o": 40}
    assert CURSORS.read("list-a", None) is None
    with pytest.raises(InvalidCursor):
        CURSORS.read("list-b", cursor)
    with pytest.raises(InvalidCursor):
        Cursors(b"another-key-of-32-bytes-long-xyz").read("list-a", cursor)


@pytest.mark.parametrize(
    "crafted",
    [
        _b64({"GSI1PK": INBOX}),  # the old format: a start key that passes a partition check alone
        _b64({"GSI1PK": INBOX, "PK": "", "SK": "x"}),
        _b64({"shards": [{"GSI1PK": INBOX}, "x"]}),
        "%%%",
        "é",
        "a.b",
    ],
)
def test_a_cursor_that_was_not_issued_is_refused_with_400(crafted):
    with pytest.raises(InvalidCursor) as refused:
        inbox.decode_cursor(CURSORS, crafted, "GSI1PK", INBOX)
    assert refused.value.status == 400 and "cursor" in refused.value.detail


def test_a_truncated_or_edited_cursor_is_refused():
    cursor = inbox.encode_cursor(CURSORS, LAST_KEY, "GSI1PK", INBOX)
    assert inbox.decode_cursor(CURSORS, cursor, "GSI1PK", INBOX) == LAST_KEY
    body, _, tag = cursor.partition(".")
    flipped = "A" if body[5] != "A" else "B"
    for tampered in (cursor[:-1], cursor[:10], body, f"{body[:5]}{flipped}{body[6:]}.{tag}"):
        with pytest.raises(InvalidCursor):
            inbox.decode_cursor(CURSORS, tampered, "GSI1PK", INBOX)


def test_an_inbox_cursor_does_not_open_another_agencys_inbox_or_another_list():
    cursor = inbox.encode_cursor(CURSORS, LAST_KEY, "GSI1PK", INBOX)
    with pytest.raises(InvalidCursor):
        inbox.decode_cursor(CURSORS, cursor, "GSI1PK", "INBOX#000.00.02.H53")
    with pytest.raises(InvalidCursor):
        inbox.decode_cursor(CURSORS, cursor, "GSI1PK", "FEEDBACK#PUBLIC")
    with pytest.raises(InvalidCursor):
        inbox.decode_shard_cursor(CURSORS, cursor, "GSI1PK", [f"{INBOX}#0", f"{INBOX}#1"])


def test_a_sharded_inbox_cursor_fits_the_query_limit_and_reads_back():
    partitions = [f"{INBOX}#{n}" for n in range(8)]
    starts = [{**LAST_KEY, "GSI1PK": {"S": p}} for p in partitions]
    cursor = inbox.encode_shard_cursor(CURSORS, starts, [False] * 8, "GSI1PK", partitions)
    assert cursor is not None and len(cursor) <= 500  # the routes' max_length
    assert inbox.decode_shard_cursor(CURSORS, cursor, "GSI1PK", partitions) == (starts, [False] * 8)
