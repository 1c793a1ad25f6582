"""The deadline sweeper (scheduled): dossiers due soon and overdue are flagged, by day, without scans."""

from typing import Any

from services.core.observability import MetricUnit, logger, metrics
from services.tracking.wiring import tracking


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    flagged = tracking().deadlines.sweep()
    for name, count in flagged.items():
        metrics.add_metric(
            name=f"Dossiers{name.title().replace('_', '')}", unit=MetricUnit.Count, value=count
        )
    logger.info("deadlines swept", extra=flagged)
    return flagged
