"""`python -m infra history`: the year of finished dossiers it writes is one the invariant checker finds
nothing wrong with (each in its agency's list, counters equal to a recomputation), spread over a year,
late in about the province's share, and the same for the same seed."""

from __future__ import annotations

from datetime import datetime

from infra import history
from infra.invariants import Checker
from services.core.calendar import WorkingCalendar
from services.core.clock import VN_TZ

CATALOGUE = [
    {
        "code": f"1.00{n}.000.00.00.H53",
        "name": f"Thủ tục {n}",
        "level": 3 + n % 2,
        "agency": {"code": f"000.00.{30 + n % 3}.H53", "name": f"UBND Phường {n % 3}"},
        "processing_days": 1 + n % 5,
    }
    for n in range(6)
]
END = datetime(2026, 12, 1, 8, 0, tzinfo=VN_TZ)


def load(count: int, seed: int = 7) -> list[dict]:
    generated = [items for items in history.dossiers(CATALOGUE, count, WorkingCalendar(), seed, END)]
    flat = [item for items in generated for item in items]
    return flat + history.counters([items[0] for items in generated])


def test_the_history_passes_the_invariant_checker():
    items = load(400)
    found = {name: inv.findings for name, inv in Checker(items, None, None, None).run().items()}
    assert found["statistics"] == [] and found["inbox"] == [], found
    metas = [i for i in items if i["SK"] == "META" and i["PK"].startswith("DOSSIER#")]
    assert len(metas) == 400 and len({m["code"] for m in metas}) == 400
    months = {m["received_at"][:7] for m in metas}
    assert len(months) >= 12  # a year of them
    late = sum(1 for m in metas if not m["processed_on_time"]) / len(metas)
    assert 0.03 < late < 0.15
    assert all("RESULT_RETURNED" in m["GSI2PK"] for m in metas)  # its agency's returned list
    assert not any("GSI1PK" in m for m in metas)  # finished: off the active inbox


def test_the_same_seed_gives_the_same_year():
    assert load(30, seed=3) == load(30, seed=3)
    assert load(30, seed=3) != load(30, seed=4)
