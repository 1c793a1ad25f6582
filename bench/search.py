"""Search latency over the seed catalogue (1,801) and a national-sized one (20,000), in process."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

from infra.seed.generate import build_package, load_structure
from services.catalog.logic.catalog import search_page
from services.catalog.logic.search import CatalogIndex, Filters
from services.catalog.logic.synonyms import SYNONYMS
from services.catalog.logic.tthc import Structure, parse_package
from services.core.cursors import Cursors
from services.core.procedures import listing_record
from services.core.text import strip_diacritics

CURSORS = Cursors(b"bench-cursors-key-not-a-secret")


@dataclass
class SearchLatency:
    size: int
    queries: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    build_ms: float


def seed_records() -> list[dict[str, Any]]:
    parsed = parse_package(build_package(), Structure.from_config(load_structure()))
    return [listing_record(p) for p in parsed.procedures]


def national_records(seed: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    """The seed's procedures offered again by other provinces' agencies, as the national catalogue does."""
    rng = random.Random(20000)
    records = list(seed)
    province = 0
    while len(records) < size:
        province += 1
        for record in seed:
            if len(records) >= size:
                break
            copy = {
                **record,
                "code": f"{record['code'][:-3]}P{province:02d}",
                "agency": {
                    "code": f"{record['agency']['code'][:-3]}P{province:02d}",
                    "name": f"{record['agency']['name']} ({rng.choice('ABCDEFGHKLMN')}{province})",
                },
            }
            records.append(copy)
    return records


def queries(records: list[dict[str, Any]]) -> list[str]:
    rng = random.Random(7)
    names = [r["name"] for r in rng.sample(records, 60)]
    typed = []
    for name in names:
        plain = strip_diacritics(name).lower()
        words = plain.split()
        typed += [plain, name, " ".join(words[:2]), " ".join(words[:3])[:-2]]
    typed += list(SYNONYMS)[:40]
    typed += ["c", "d", "g", "cap", "dang ky", "giay phep", "cap lai", "xyzkhongco", "1.00", "ho tich"]
    return typed


def measure(size: int, records: list[dict[str, Any]], repeats: int = 5) -> SearchLatency:
    started = time.perf_counter()
    index = CatalogIndex(records)
    build_ms = (time.perf_counter() - started) * 1000
    asked = queries(records)
    timings = []
    order = [q for q in asked for _ in range(repeats)]
    random.Random(1).shuffle(order)
    for q in order:
        t = time.perf_counter_ns()
        search_page(index, q, Filters(), 20, None, CURSORS)
        timings.append((time.perf_counter_ns() - t) / 1e6)
    timings.sort()
    return SearchLatency(
        size,
        len(asked),
        statistics.median(timings),
        timings[int(len(timings) * 0.99) - 1],
        timings[-1],
        build_ms,
    )
