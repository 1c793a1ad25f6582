"""The upload verifier: S3 object-created events from the `uploads` queue, one document each."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from services.core.consumer import batch_consumer
from services.core.observability import MetricUnit, logger, metrics
from services.submission.wiring import submission

service = submission()


def verify_record(record: SQSRecord) -> None:
    body: dict[str, Any] = json.loads(record.body)
    if body.get("Event") == "s3:TestEvent":
        return  # S3 sends one when the notification is configured
    for s3_record in body.get("Records", []):
        stored = s3_record["s3"]["object"]
        key = unquote_plus(stored["key"])
        outcome = service.verify_upload(key, str(stored.get("eTag", "")), stored.get("versionId"))
        metrics.add_metric(name=f"Upload{outcome.capitalize()}", unit=MetricUnit.Count, value=1)
        logger.info("upload checked", extra={"outcome": outcome})


handler = batch_consumer("verifier", verify_record)
