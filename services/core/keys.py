"""Single-table keys: every partition and sort key of the table is built here and nowhere else.

One function per item type, named for the item, returning the primary key (and, where the item
appears in an index, the index keys). Each key serves an access pattern listed in docs/storage.md.
"""

from __future__ import annotations

import hashlib

# Write sharding: partitions that every dossier of a busy agency would otherwise hit at once.
# docs/capacity.md derives the shard counts from ten times the national peak.
STATS_SHARDS = 16
ALARM_SHARDS = 16

Key = dict[str, str]


def shard_of(value: str, shards: int) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=2).digest(), "big") % shards


# -- catalogue -------------------------------------------------------------------------------------

CATALOG_PARTITION = "CATALOG"


def procedure(code: str) -> Key:
    return {"PK": f"PROC#{code}", "SK": "META"}


def procedure_listing(code: str) -> Key:
    """GSI1: every procedure, by code (rebuilding the search snapshot after an import)."""
    return {"GSI1PK": CATALOG_PARTITION, "GSI1SK": code}


def catalog_config(name: str) -> Key:
    return {"PK": f"CONFIG#{name}", "SK": "META"}


# -- dossiers --------------------------------------------------------------------------------------


def dossier(dossier_id: str) -> Key:
    return {"PK": f"DOSSIER#{dossier_id}", "SK": "META"}


def dossier_partition(dossier_id: str) -> str:
    return f"DOSSIER#{dossier_id}"


def dossier_file(dossier_id: str, file_id: str) -> Key:
    return {"PK": f"DOSSIER#{dossier_id}", "SK": f"FILE#{file_id}"}


META = "META"
FILE_PREFIX = "FILE#"
HISTORY_PREFIX = "HIST#"
RESULT_PREFIX = "RESULT#"
NOTICE_PREFIX = "NOTICE#"
# singleton parts of a dossier, beside META in its partition
DELIVERY = "DELIVERY"
RATING = "RATING"
SYNC = "SYNC"
# what the citizen declared (applicant, form, delivery, the documents asked for): written with the
# draft, read with the whole dossier, never rewritten by a status change, so META stays small
CONTENT = "CONTENT"
PAID_MARKER = "PAID"


def result_file(dossier_id: str, file_id: str) -> Key:
    return {"PK": f"DOSSIER#{dossier_id}", "SK": f"{RESULT_PREFIX}{file_id}"}


def notice(dossier_id: str, channel: str) -> Key:
    return {"PK": f"DOSSIER#{dossier_id}", "SK": f"{NOTICE_PREFIX}{channel}"}


def history(dossier_id: str, at_iso: str, n: int) -> Key:
    return {"PK": f"DOSSIER#{dossier_id}", "SK": f"HIST#{at_iso}#{n:03d}"}


def dossier_part(dossier_id: str, name: str) -> Key:
    """A singleton item of a dossier (rating, delivery, sync state, paid marker)."""
    return {"PK": f"DOSSIER#{dossier_id}", "SK": name}


def code_lookup(dossier_code: str) -> Key:
    return {"PK": f"CODE#{dossier_code}", "SK": "META"}


def daily_sequence(agency: str, yymmdd: str) -> Key:
    return {"PK": f"SEQ#{agency}#{yymmdd}", "SK": "META"}


def inbox(agency: str, urgency_at: str, code: str, shard: int = 0, shards: int = 1) -> Key:
    """GSI1: an agency's active dossiers, most urgent first (due or receipt time ascending).

    A busy agency's inbox is spread over `shards` partitions (its structure entry says how many);
    most agencies have one, and read their inbox with one Query per page."""
    return {"GSI1PK": inbox_partition(agency, shard, shards), "GSI1SK": f"{urgency_at}#{code}"}


def inbox_partition(agency: str, shard: int = 0, shards: int = 1) -> str:
    return f"INBOX#{agency}" if shards <= 1 else f"INBOX#{agency}#{shard}"


def inbox_by_status(
    agency: str, status: str, urgency_at: str, code: str, shard: int = 0, shards: int = 1
) -> Key:
    """GSI2: an agency's dossiers in one status, including finished ones."""
    return {"GSI2PK": inbox_status_partition(agency, status, shard, shards), "GSI2SK": f"{urgency_at}#{code}"}


def inbox_status_partition(agency: str, status: str, shard: int = 0, shards: int = 1) -> str:
    return f"AGSTATUS#{agency}#{status}" if shards <= 1 else f"AGSTATUS#{agency}#{status}#{shard}"


def alarm(kind: str, at_iso: str, item_id: str) -> Key:
    """GSI3: when something must be looked at again (a deadline, a payment's expiry), by day."""
    return {
        "GSI3PK": alarm_partition(kind, at_iso[:10], shard_of(item_id, ALARM_SHARDS)),
        "GSI3SK": f"{at_iso}#{item_id}",
    }


def alarm_partition(kind: str, day: str, shard: int) -> str:
    return f"ALARM#{kind}#{day}#{shard}"


# -- payments --------------------------------------------------------------------------------------


def payment(txn_ref: str) -> Key:
    return {"PK": f"PAY#{txn_ref}", "SK": "META"}


def payment_by_dossier(dossier_id: str, created_at: str) -> Key:
    """GSI1: a dossier's payment orders, newest last."""
    return {"GSI1PK": f"PAYDOSSIER#{dossier_id}", "GSI1SK": created_at}


def payment_by_dossier_partition(dossier_id: str) -> str:
    return f"PAYDOSSIER#{dossier_id}"


def payment_by_day(day: str, created_at: str, txn_ref: str) -> Key:
    """GSI2: the orders created on a day (the daily reconciliation report), sharded like alarms."""
    return {
        "GSI2PK": payment_day_partition(day, shard_of(txn_ref, ALARM_SHARDS)),
        "GSI2SK": f"{created_at}#{txn_ref}",
    }


def payment_day_partition(day: str, shard: int) -> str:
    return f"PAYDAY#{day}#{shard}"


def reconciliation_report(day: str) -> Key:
    return {"PK": f"RECON#{day}", "SK": "META"}


# -- statistics, feedback, events ------------------------------------------------------------------


def province_of(agency: str) -> str:
    """`000.00.31.H53` -> `H53`: the province segment of a national agency code."""
    return agency.rsplit(".", 1)[-1] if "." in agency else "ALL"


def stats(agency: str, month: str, procedure_code: str, dossier_id: str) -> Key:
    """Counters of one agency, procedure and month, write-sharded by dossier within the province."""
    shard = shard_of(dossier_id, STATS_SHARDS)
    return {"PK": stats_partition(province_of(agency), month, shard), "SK": f"{agency}#{procedure_code}"}


def stats_partition(province: str, month: str, shard: int) -> str:
    return f"STATS#{province}#{month}#{shard}"


def feedback(feedback_id: str) -> Key:
    return {"PK": f"FEEDBACK#{feedback_id}", "SK": "META"}


PUBLIC_FEEDBACK_PARTITION = "FEEDBACK#PUBLIC"


def public_feedback(answered_at: str, feedback_id: str) -> Key:
    return {"GSI1PK": PUBLIC_FEEDBACK_PARTITION, "GSI1SK": f"{answered_at}#{feedback_id}"}


def open_feedback(agency: str, created_at: str, feedback_id: str) -> Key:
    return {"GSI2PK": open_feedback_partition(agency), "GSI2SK": f"{created_at}#{feedback_id}"}


def open_feedback_partition(agency: str) -> str:
    return f"FEEDBACK#OPEN#{agency}"


def outbox(event_id: str) -> Key:
    return {"PK": f"OUTBOX#{event_id}", "SK": "EVENT"}


OUTBOX_PREFIX = "OUTBOX#"


def applied(consumer: str, event_id: str) -> Key:
    """Marks that a consumer has applied an event, written with the effect (idempotent consumers)."""
    return {"PK": f"APPLIED#{consumer}#{event_id}", "SK": "META"}
