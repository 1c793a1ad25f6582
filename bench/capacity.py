"""The capacity model: the hottest partition of every access pattern at ten times the national peak.

DynamoDB serves at most 1,000 write units and 3,000 read units a second from one partition. The model
takes the key design of services/core/keys.py, the number of writes each dossier makes to each key
(counted from the code paths, see `PATTERNS`) and the item sizes `make bench` measured, and computes the
rate on the hottest partition. The goal is at most 10 % of the limit everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from services.core import keys

WRITE_LIMIT = 1000  # write units a second per partition
READ_LIMIT = 3000  # read units a second per partition
GOAL = 0.10

# -- the national peak ---------------------------------------------------------------------------------
# ~40 million dossiers a year go through the provinces' portals (the national portal's public figures
# for 2024 are of that order once in-person dossiers are counted, and they are moving online).
NATIONAL_DOSSIERS_PER_YEAR = 40_000_000
WORKING_DAYS = 250
BUSIEST_HOUR_SHARE = 0.20  # of a working day's dossiers arrive in the busiest hour (8-9 am)
DEADLINE_DAY_FACTOR = 2.5  # the last days of a month or quarter (tax, land, business deadlines)
MINUTE_BURST = 1.5  # the busiest minute of the busiest hour
NATIONAL_PEAK = (
    NATIONAL_DOSSIERS_PER_YEAR / WORKING_DAYS * BUSIEST_HOUR_SHARE / 3600 * DEADLINE_DAY_FACTOR * MINUTE_BURST
)  # submissions a second (~33)
DESIGN_PEAK = 10 * NATIONAL_PEAK

HOT_PROVINCE_SHARE = 0.20  # the largest province since the 2025 mergers (Ho Chi Minh City, ~14 % of
#                            the people and more of the businesses)
HOT_AGENCY_SHARE = 0.25  # its busiest agency (land registration or the public-service centre)
HOT_PROCEDURE_SHARE = 0.05  # the most used procedure nationally (birth registration, land transfer)
ONLINE_PAYMENT_SHARE = 0.30  # dossiers paying a fee online (10 % today; level 4 will push it up)
OFFICIALS_AT_HOT_AGENCY = 200  # each refreshing an inbox page every 10 s
DETAIL_VIEWS_PER_DOSSIER = 10  # procedure detail pages read per dossier submitted
WARM_CATALOG_CONTAINERS = 200  # each re-reads a procedure at most once per DetailCache lifetime
DETAIL_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Pattern:
    name: str
    key: str
    rate: float  # operations a second on the hottest partition at the design peak, before sharding
    units: float  # capacity units each
    shards: int
    reads: bool
    how: str

    @property
    def per_partition(self) -> float:
        return self.rate * self.units / self.shards

    @property
    def share(self) -> float:
        return self.per_partition / (READ_LIMIT if self.reads else WRITE_LIMIT)


def kb(size: float) -> int:
    return max(1, math.ceil(size / 1024))


def patterns(sizes: dict[str, float] | None = None, inbox_shards: int = 8) -> list[Pattern]:
    """Every access pattern's hottest partition. `inbox_shards` is what the structure gives the hottest
    agency (docs/capacity.md: 8 for an agency receiving more than ~2 dossiers a second at peak)."""
    sizes = sizes or {}
    # what GSI1 and GSI2 hold of a dossier (the inbox's columns; all of META if they project ALL)
    entry = sizes.get("DOSSIER/INDEX", sizes.get("DOSSIER/META", 3000))
    meta = kb(entry)
    order = kb(sizes.get("PAY", 600))
    procedure_rcu = math.ceil(kb(sizes.get("PROC", 6000)) / 4) * 0.5  # eventually consistent
    national = DESIGN_PEAK
    province = national * HOT_PROVINCE_SHARE
    agency = province * HOT_AGENCY_SHARE
    # META writes while a dossier is active: placement, 5 official actions, a payment and a sync update,
    # plus the deletes of 2 inbox-key moves (due date set on acceptance, due soon).
    inbox_writes = 1 + 5 + 2 + 2
    status_writes = 5  # the busiest status (in process) sees about half of them
    return [
        Pattern(
            "daily sequence (dossier codes)",
            "SEQ#{agency}#{day}",
            agency,
            1,
            1,
            False,
            "one atomic ADD per submission",
        ),
        Pattern(
            "officials' inbox",
            "GSI1 INBOX#{agency}#{shard}",
            agency * inbox_writes,
            meta,
            inbox_shards,
            False,
            f"{inbox_writes} META copies per dossier while active",
        ),
        Pattern(
            "officials' inbox, reading",
            "GSI1 INBOX#{agency}#{shard}",
            OFFICIALS_AT_HOT_AGENCY / 10,
            math.ceil(20 * entry / 4096) * 0.5,
            1,
            True,
            "a page of 20 from every shard, merged",
        ),
        Pattern(
            "dossiers by status",
            "GSI2 AGSTATUS#{agency}#{status}#{shard}",
            agency * status_writes,
            meta,
            inbox_shards,
            False,
            f"{status_writes} META copies in the busiest status",
        ),
        Pattern(
            "deadline alarms",
            "GSI3 ALARM#deadline#{day}#{shard}",
            national * 3,
            1,
            keys.ALARM_SHARDS,
            False,
            "keys only; set, moved when due soon, removed (whole country)",
        ),
        Pattern(
            "statistics counters",
            "STATS#{province}#{month}#{shard}",
            province * 3,
            2,
            keys.STATS_SHARDS,
            False,
            "received, finished, on time: each in a transaction (x2)",
        ),
        Pattern(
            "payments by day",
            "GSI2 PAYDAY#{day}#{shard}",
            national * ONLINE_PAYMENT_SHARE * 4,
            order,
            keys.ALARM_SHARDS,
            False,
            "order created, IPN, return, reconciliation (whole country)",
        ),
        Pattern(
            "payment expiry alarms",
            "GSI3 ALARM#payment#{day}#{shard}",
            national * ONLINE_PAYMENT_SHARE * 2,
            1,
            keys.ALARM_SHARDS,
            False,
            "set, then removed",
        ),
        Pattern(
            "procedure detail, uncached",
            "PROC#{code}",
            national * HOT_PROCEDURE_SHARE * DETAIL_VIEWS_PER_DOSSIER,
            procedure_rcu,
            1,
            True,
            "what it would be without the cache",
        ),
        Pattern(
            "procedure detail",
            "PROC#{code}",
            WARM_CATALOG_CONTAINERS / DETAIL_CACHE_SECONDS,
            procedure_rcu,
            1,
            True,
            "each warm container re-reads once per 5 minutes",
        ),
        Pattern(
            "one dossier",
            "DOSSIER#{id}",
            2,
            meta * 2,
            1,
            False,
            "a burst of two transactional writes a second on one dossier",
        ),
    ]


def unsharded(p: Pattern) -> Pattern:
    return Pattern(p.name, p.key, p.rate, p.units, 1, p.reads, p.how)


def print_model(figures: dict[str, Any] | None = None) -> bool:
    sizes = (figures or {}).get("item_sizes") or {}
    rows = patterns(sizes)
    print("## Capacity: the hottest partition of each access pattern\n")
    print(
        f"National peak: {NATIONAL_PEAK:.0f} submissions a second ({NATIONAL_DOSSIERS_PER_YEAR / 1e6:.0f} "
        f"million a year, {WORKING_DAYS} working days, {BUSIEST_HOUR_SHARE:.0%} in the busiest hour, "
        f"x{DEADLINE_DAY_FACTOR} on deadline days, x{MINUTE_BURST} in the busiest minute). Designed for "
        f"ten times that: {DESIGN_PEAK:.0f} a second; the hottest province {HOT_PROVINCE_SHARE:.0%} of it, "
        f"its hottest agency {HOT_AGENCY_SHARE:.0%} of that "
        f"({DESIGN_PEAK * HOT_PROVINCE_SHARE * HOT_AGENCY_SHARE:.0f} a second).\n"
    )
    print(
        "| access pattern | hottest key | units/s unsharded | shards | units/s per partition | "
        "share of limit | goal 10 % |"
    )
    print("|---|---|---:|---:|---:|---:|---|")
    ok = True
    for p in rows:
        met = p.share <= GOAL
        ok = ok and (met or "uncached" in p.name)
        kind = "reads" if p.reads else "writes"
        print(
            f"| {p.name} ({p.how}) | `{p.key}` | {unsharded(p).per_partition:,.0f} {kind} "
            f"({unsharded(p).share:.0%}) | {p.shards} | "
            f"{p.per_partition:,.1f} | {p.share:.1%} | {'met' if met else 'MISSED'} |"
        )
    print(
        "\nUnsharded, the inbox and the statistics would take a third of a partition: hence the shards. "
        "The uncached procedure detail row shows what the detail cache and the Cache-Control header save; "
        "it is not a path any request takes."
    )
    return ok
