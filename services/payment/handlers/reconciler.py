"""Scheduled: orders left PENDING after their expiry window are settled from the gateway's `querydr`."""

from typing import Any

from services.core.observability import logger, metrics
from services.payment.wiring import payments

service = payments()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    counts = service.reconciliation.reconcile()
    logger.info("pending orders reconciled", extra=counts)
    return counts
