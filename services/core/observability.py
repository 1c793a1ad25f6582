"""Logger and Metrics, built once per container (Powertools).

The service name comes from POWERTOOLS_SERVICE_NAME, set per function in serverless.yml.
Logs are structured: `logger.info("dossier submitted", extra={"dossier_code": code})`;
never personal data (names, ID numbers, phones, emails, tokens).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled


class _Metrics(Metrics):
    """Metrics that honour POWERTOOLS_METRICS_DISABLED (the local cloud, the benchmarks) all the way:
    Powertools still collects disabled metrics, never flushes them, and prints them as EMF once a metric
    holds 100 values, so a long-lived local process would grow and print stray JSON."""

    def add_metric(self, *args: Any, **kwargs: Any) -> None:
        if not is_metrics_disabled():
            super().add_metric(*args, **kwargs)

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        if not is_metrics_disabled():
            super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)


logger = Logger(utc=False)
metrics = _Metrics(namespace="DichVuCong")

# No Powertools Tracer: nothing traced below the handler, and aws_xray_sdk would add its import to
# every cold start. Lambda's active tracing (serverless.yml `tracing.lambda`) still records each
# invocation's segment at no cold-start cost (docs/architecture.md).
__all__ = ["MetricUnit", "logger", "metrics"]
