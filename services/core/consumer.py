"""Queue consumers: Powertools batch processing, one envelope per message, partial failures reported.

A record that raises is reported in `batchItemFailures`; SQS redelivers it, and after the queue's
maxReceiveCount it lands in the dead-letter queue, where `python -m infra redrive` can replay it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from services.core.events import Event
from services.core.observability import logger, metrics

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def event_consumer(name: str, apply: Callable[[Event], None]) -> Handler:
    """A Lambda handler for a queue of event envelopes; `apply` must be idempotent."""

    def record_handler(record: SQSRecord) -> None:
        event = Event.model_validate_json(record.body)
        logger.append_keys(event_id=event.id, event_type=event.type.value)
        try:
            apply(event)
        finally:
            logger.remove_keys(["event_id", "event_type"])

    return batch_consumer(name, record_handler)


def batch_consumer(name: str, record_handler: Callable[[SQSRecord], None]) -> Handler:
    @metrics.log_metrics
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> Any:
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        failed = len(response.get("batchItemFailures", []))
        if failed:
            logger.warning("batch had failures", extra={"consumer": name, "failed": failed})
        return response

    return handler
