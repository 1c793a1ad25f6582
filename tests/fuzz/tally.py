"""What the fuzzer sent and got, per service and operation: test-artifacts/fuzz.json and the closing lines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

CLASSES = ("2xx", "3xx", "4xx", "5xx")


def service_of(case: Any) -> str:
    return str(case.operation.path.split("/")[2])  # /api/{service}/...


@dataclass
class OperationTally:
    cases: int = 0
    stateful_steps: int = 0
    responses: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "stateful_steps": self.stateful_steps,
            "responses": {k: self.responses[k] for k in CLASSES if self.responses[k]},
        }


@dataclass
class ServiceTally:
    operations: dict[str, OperationTally] = field(default_factory=dict)
    seconds: float = 0.0
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        responses: Counter[str] = Counter()
        for operation in self.operations.values():
            responses.update(operation.responses)
        return {
            "operations": len(self.operations),
            "cases": sum(o.cases for o in self.operations.values()),
            "stateful_steps": sum(o.stateful_steps for o in self.operations.values()),
            "responses": {k: responses[k] for k in CLASSES if responses[k]},
            "failures": list(self.failures.values()),
            "seconds": round(self.seconds, 1),
            "by_operation": {label: o.as_json() for label, o in self.operations.items()},
        }


class Tally:
    def __init__(self, services: tuple[str, ...]) -> None:
        self.services = {name: ServiceTally() for name in services}

    def operation(self, service: str, label: str) -> OperationTally:
        return self.services[service].operations.setdefault(label, OperationTally())

    def response(self, case: Any, status: int, stateful: bool = False) -> None:
        operation = self.operation(service_of(case), case.operation.label)
        if stateful:
            operation.stateful_steps += 1
        else:
            operation.cases += 1
        operation.responses[f"{status // 100}xx"] += 1

    def failure(self, case: Any, status: int | None, exc: BaseException) -> None:
        """Each distinct failure once: Hypothesis replays a failing case while it shrinks it."""
        for failure in getattr(exc, "exceptions", None) or [exc]:
            title = str(getattr(failure, "title", type(failure).__name__))
            self.services[service_of(case)].failures.setdefault(
                f"{case.operation.label} {title} {status}",
                {
                    "operation": case.operation.label,
                    "check": title,
                    "status": status,
                    "message": str(getattr(failure, "message", "") or failure)[:500],
                    "request": case.as_curl_command()[:2000],
                },
            )

    def as_json(self) -> dict[str, Any]:
        return {name: service.as_json() for name, service in self.services.items()}

    def lines(self) -> list[str]:
        out = []
        for name, service in self.as_json().items():
            classes = ", ".join(f"{k} {v}" for k, v in service["responses"].items())
            out.append(
                f"{name:<11}{service['operations']:>3} operations {service['cases']:>6} cases "
                f"{service['stateful_steps']:>5} stateful steps {service['seconds']:>7.1f} s  "
                f"[{classes}]  failures {len(service['failures'])}"
            )
        return out
