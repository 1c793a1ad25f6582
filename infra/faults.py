"""Faults injected into the local cloud's function invocations (the outbox test, the chaos run).

A plan says, per function, how many of the next invocations fail and where: `before` the handler
runs (the process died before doing anything: the batch comes back), `midway` through the batch (the
first records' effects are done, the rest never ran, and the whole batch comes back), or `after` it
ran (it died after writing but before reporting success: the batch comes back though its effects are
done, so the consumer must be idempotent). `fail_randomly` adds a failure probability on every
invocation, at a random one of the three points.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WHERE = ("before", "midway", "after")


class InjectedFault(RuntimeError):
    """A failure the fault plan asked for (never a bug)."""


@dataclass
class FaultPlan:
    pending: dict[str, list[str]] = field(default_factory=dict)  # function -> ["before", "after", ...]
    probability: dict[str, float] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # function -> the point its random faults hit
    injected: Counter[str] = field(default_factory=Counter)
    seed: int = 7
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=lambda: random.Random(7))

    def fail_next(self, function: str, count: int, where: str = "before") -> None:
        with self._lock:
            self.pending.setdefault(function, []).extend([where] * count)

    def fail_randomly(self, function: str, probability: float, where: str | None = None) -> None:
        """A share of the function's invocations fail, at `where` or at a random point each time."""
        with self._lock:
            self.probability[function] = probability
            if where:
                self.where[function] = where
            else:
                self.where.pop(function, None)

    def clear(self) -> None:
        with self._lock:
            self.pending.clear()
            self.probability.clear()
            self.where.clear()

    def _next(self, function: str) -> str | None:
        with self._lock:
            queued = self.pending.get(function)
            if queued:
                return queued.pop(0)
            chance = self.probability.get(function, 0.0)
            if chance and self._random.random() < chance:
                return self.where.get(function) or self._random.choice(WHERE)
        return None

    def invoke(self, function: str, event: dict[str, Any], call: Callable[[], Any]) -> Any:
        where = self._next(function)
        if where == "before":
            self.injected[f"{function}:before"] += 1
            raise InjectedFault(f"{function} killed before running")
        if where == "midway" and len(event.get("Records") or []) > 1:
            # the event object is the one `call` hands to the handler: run it on the first records only
            records = event["Records"]
            with self._lock:
                cut = self._random.randrange(1, len(records))
            event["Records"] = records[:cut]
            try:
                call()
            finally:
                event["Records"] = records
            self.injected[f"{function}:midway"] += 1
            raise InjectedFault(f"{function} killed after {cut} of {len(records)} records")
        result = call()
        if where in ("after", "midway"):
            self.injected[f"{function}:after"] += 1
            raise InjectedFault(f"{function} killed after running, before reporting")
        return result
