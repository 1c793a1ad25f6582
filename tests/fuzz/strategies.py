"""Values the schemas cannot describe but attackers send: crafted pagination cursors and far dates.

A `cursor` is an opaque string to the schema, so generated ones are random text that the service
refuses at once; the 500s of issue 19 came from cursors that decode (base64 of JSON shaped like a start
key) and from months the pattern allows but date arithmetic does not (`from=9999-11&to=9999-12`). The
`flatmap_query` hook below sends such values to every operation with a `cursor`, `from` or `to` query
parameter, in three cases in four, the rest as the schema generates them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import zlib
from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st

# the attributes a DynamoDB start key of this table has, and the states the services keep in cursors
KEY_NAMES = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "o", "shards"]
PARTITIONS = ["FEEDBACK#PUBLIC", "INBOX#", "AGSTATUS#", "FEEDBACK#OPEN#", "DOSSIER#", "CATALOG"]
FAR_YEARS = [0, 1, 999, 1899, 1999, 2101, 2999, 9998, 9999]
CURSOR, FROM, TO = "cursor", "from", "to"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=24),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
# start keys that pass a check of the partition alone: the right names, partition-like values
key_values = st.one_of(
    st.sampled_from(PARTITIONS).flatmap(lambda p: st.text(max_size=20).map(lambda t: p + t)),
    st.just(""),
    json_values,
)
start_keys = st.dictionaries(st.sampled_from(KEY_NAMES), key_values, max_size=6)


def issued_states(issued: list[str]) -> list[dict[str, Any]]:
    """What the issued cursors carry: the body is base64 (of zlib-compressed JSON, or of JSON before
    cursors were signed), readable by anyone; only its signature cannot be made."""
    states = []
    for cursor in issued:
        body = cursor.partition(".")[0]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            continue
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        with contextlib.suppress(ValueError):
            state = json.loads(raw)
            if isinstance(state, dict):
                states.append(state)
    return states


def mutated(state: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A real list's state with keys dropped, emptied or added: a start key DynamoDB refuses."""
    names = sorted(state)
    if not names:
        return st.just(state)
    return st.tuples(
        st.sets(st.sampled_from(names)),
        st.sets(st.sampled_from(names)),
        st.dictionaries(st.sampled_from(KEY_NAMES), key_values, max_size=2),
    ).map(
        lambda change: {
            **{k: ("" if k in change[1] else v) for k, v in state.items() if k not in change[0]},
            **change[2],
        }
    )


def _packed(state: Any) -> str:
    return _b64(zlib.compress(json.dumps(state, separators=(",", ":")).encode()))


def look_alikes(states: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Start keys naming a real partition exactly (the public feedback's, or one a list issued) with
    the other key attributes missing, empty or made up: what a check of the partition alone let by."""
    known = {("GSI1PK", "FEEDBACK#PUBLIC")} | {
        (k, v) for state in states for k, v in state.items() if k.endswith("PK") and isinstance(v, str)
    }
    return st.tuples(st.sampled_from(sorted(known)), start_keys).map(lambda t: {**t[1], t[0][0]: t[0][1]})


def crafted_cursors(own: str | None, issued: list[str]) -> st.SearchStrategy[str]:
    """For one list (`own`: the cursor it issued, if it did): mostly its own state changed and
    re-encoded, bare or packed under its real signature, and start keys naming a real partition; then
    base64 of random JSON, issued cursors truncated, tampered with or carried to another list, and
    plain garbage."""
    others: list[st.SearchStrategy[str]] = [
        json_values.map(lambda v: _b64(json.dumps(v).encode())),
        st.lists(st.one_of(st.none(), start_keys), max_size=9).map(
            lambda shards: _b64(json.dumps({"shards": shards}).encode())
        ),
        st.binary(max_size=64).map(_b64),
        st.text(max_size=80),
    ]
    if issued:
        some = st.sampled_from(issued)
        others += [
            some,  # issued for one list, sent to every other
            some.map(lambda c: c.partition(".")[0]),  # the body without its signature
            # one cursor's body under another's signature
            st.tuples(some, some).map(lambda two: f"{two[0].partition('.')[0]}.{two[1].partition('.')[2]}"),
        ]
    states = issued_states(issued)
    aimed = [look_alikes(states).map(lambda v: _b64(json.dumps(v).encode()))]
    if own:
        mine = issued_states([own])
        signature = own.partition(".")[2]
        aimed += [
            st.integers(0, max(0, len(own) - 1)).map(lambda n: own[:n]),
            st.tuples(st.integers(0, max(0, len(own) - 1)), st.characters()).map(
                lambda edit: own[: edit[0]] + edit[1] + own[edit[0] + 1 :]
            ),
        ]
        if mine:
            changed = mutated(mine[0])
            aimed += [
                changed.map(lambda v: _b64(json.dumps(v).encode())),
                changed.map(lambda v: f"{_packed(v)}.{signature}"),
            ]
    # two thirds aimed at this list
    return st.one_of(st.one_of(aimed), st.one_of(aimed), st.one_of(others))


def _month(years: st.SearchStrategy[int], months: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    return st.tuples(years, months).map(lambda ym: f"{ym[0]:04d}-{ym[1]:02d}")


# far years, the edges of the allowed ones, impossible months, and text a date parser trips on
months = st.one_of(
    _month(st.sampled_from(FAR_YEARS), st.integers(1, 12)),
    _month(st.sampled_from([2000, 2100]), st.sampled_from([1, 12])),
    _month(st.integers(2000, 2100), st.sampled_from([0, 13, 99])),
    st.sampled_from(["9999-12", "0000-01", "2026-1", "+2026-01", "２０２６-01", "2026-01-01", ""]),
    st.text(max_size=12),
)


def month_ranges() -> st.SearchStrategy[dict[str, str]]:
    """`from` and `to`: far or odd months, reversed ranges, spans far past the limit. An allowed range
    is one month at most, so a case never asks the embedded DynamoDB for years of statistics."""
    return st.one_of(
        st.tuples(months, months),
        months.map(lambda m: (m, m)),
        st.just(("9999-11", "9999-12")),
        st.just(("2100-12", "2000-01")),
        st.just(("2000-01", "2100-12")),
    ).map(lambda pair: {FROM: pair[0], TO: pair[1]})


def query_parameters(operation: Any) -> set[str]:
    raw = operation.definition.raw
    return {p.get("name") for p in raw.get("parameters", []) if p.get("in") == "query"}


def crafting_hook(issued: Callable[[], dict[str, str]]) -> Callable[[Any, Any], st.SearchStrategy[Any]]:
    """A schemathesis `flatmap_query` hook: three cases in four of an operation with `cursor`, `from`
    or `to` get crafted values for them (`issued()`: a real next_cursor of each list, by path)."""

    def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
        operation = context.operation
        names = query_parameters(operation) & {CURSOR, FROM, TO} if operation else set()
        if not names or not (query is None or isinstance(query, dict)):
            return st.just(query)
        crafted: dict[str, st.SearchStrategy[Any]] = {}
        if CURSOR in names:
            cursors = issued()
            crafted[CURSOR] = crafted_cursors(cursors.get(operation.path), list(cursors.values()))
        dates = month_ranges() if {FROM, TO} <= names else st.just({})
        extra = st.fixed_dictionaries(crafted).flatmap(lambda c: dates.map(lambda d: {**c, **d}))
        return st.integers(0, 3).flatmap(
            lambda n: extra.map(lambda e: {**(query or {}), **e}) if n else st.just(query)
        )

    return flatmap_query
