"""Scheduled daily: every order of the day before whose state differs from the gateway's."""

from datetime import timedelta
from typing import Any

from services.core.clock import now
from services.core.observability import logger, metrics
from services.payment.wiring import payments

service = payments()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    day = (event.get("detail") or {}).get("day") or (now() - timedelta(days=1)).date().isoformat()
    report = service.reconciliation.daily_report(day)
    return {"day": day, "checked": report["checked"], "mismatches": len(report["mismatches"])}
