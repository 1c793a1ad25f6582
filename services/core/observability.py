"""Logger, Metrics and Tracer, built once per container (Powertools).

The service name comes from POWERTOOLS_SERVICE_NAME, set per function in serverless.yml.
Logs are structured: `logger.info("dossier submitted", extra={"dossier_code": code})`;
never personal data (names, ID numbers, phones, emails, tokens).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(utc=False)
metrics = Metrics(namespace="DichVuCong")

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]


class _LazyTracer:
    """The X-Ray tracer, imported on first use: aws_xray_sdk costs cold-start time we only pay on AWS."""

    _tracer: Any = None

    def _get(self) -> Any:
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer()
        return self._tracer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)


tracer = _LazyTracer()
