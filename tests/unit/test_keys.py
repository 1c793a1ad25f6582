"""Single-table keys."""

from services.core import keys


def test_each_item_type_has_its_own_partition_prefix():
    assert keys.procedure("1.000893.000.00.00.H53") == {"PK": "PROC#1.000893.000.00.00.H53", "SK": "META"}
    assert keys.dossier("abc") == {"PK": "DOSSIER#abc", "SK": "META"}
    assert keys.dossier_file("abc", "f1") == {"PK": "DOSSIER#abc", "SK": "FILE#f1"}
    assert keys.code_lookup("000.00.31.H53-261126-0001")["PK"] == "CODE#000.00.31.H53-261126-0001"
    assert keys.daily_sequence("000.00.31.H53", "261126") == {"PK": "SEQ#000.00.31.H53#261126", "SK": "META"}
    assert keys.payment("P1")["PK"] == "PAY#P1"
    assert keys.outbox("e1") == {"PK": "OUTBOX#e1", "SK": "EVENT"}


def test_history_entries_sort_by_time_then_sequence():
    a = keys.history("d", "2026-11-26T10:00:00+07:00", 2)["SK"]
    b = keys.history("d", "2026-11-26T10:00:00+07:00", 10)["SK"]
    c = keys.history("d", "2026-11-26T10:00:01+07:00", 1)["SK"]
    assert a < b < c


def test_inbox_sort_key_orders_by_urgency_then_code():
    early = keys.inbox("A", "2026-11-26T08:00:00+07:00", "X-2")["GSI1SK"]
    late = keys.inbox("A", "2026-11-27T08:00:00+07:00", "X-1")["GSI1SK"]
    assert early < late
    assert keys.inbox("A", "t", "c")["GSI1PK"] == keys.inbox_partition("A")


def test_shards_are_stable_and_spread():
    shards = {keys.shard_of(f"dossier-{n}", keys.STATS_SHARDS) for n in range(200)}
    assert shards == set(range(keys.STATS_SHARDS))
    assert keys.shard_of("x", 8) == keys.shard_of("x", 8)
    a = keys.stats("000.00.31.H53", "2026-11", "P", "dossier-1")
    assert a["PK"].startswith("STATS#H53#2026-11#") and a["SK"] == "000.00.31.H53#P"


def test_alarm_keys_partition_by_kind_day_and_shard():
    alarm = keys.alarm("deadline", "2026-11-26T17:00:00+07:00", "d1")
    assert alarm["GSI3PK"].startswith("ALARM#deadline#2026-11-26#")
    assert alarm["GSI3SK"] == "2026-11-26T17:00:00+07:00#d1"
