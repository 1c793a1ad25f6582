"""The outbox relay: table stream INSERTs of OUTBOX# items, published to the queues their type routes to.

At least once: a record that fails is reported back to the stream (ReportBatchItemFailures) and
retried; consumers are idempotent, so a second publish changes nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from pydantic import Field

from services.core import keys
from services.core.events import ROUTES, Queue, from_outbox_image
from services.core.observability import logger, metrics
from services.core.settings import CoreSettings, load
from services.core.wiring import publisher


class RelaySettings(CoreSettings):
    dossier_events_queue_url: str = Field(min_length=1)
    payment_events_queue_url: str = Field(min_length=1)
    delivery_events_queue_url: str = Field(min_length=1)
    refund_events_queue_url: str = Field(min_length=1)
    sync_events_queue_url: str = Field(min_length=1)
    submission_events_queue_url: str = Field(min_length=1)

    def queue_url(self, queue: Queue) -> str:
        return str(getattr(self, f"{queue.value}_queue_url"))


def publish_outbox_record(record: DynamoDBRecord, settings: RelaySettings) -> None:
    image = record.raw_event.get("dynamodb", {}).get("NewImage") or {}
    if record.raw_event.get("eventName") != "INSERT" or not image.get("PK", {}).get("S", "").startswith(
        keys.OUTBOX_PREFIX
    ):
        return  # the stream filter keeps these away on AWS; the check keeps the relay honest without it
    event = from_outbox_image(image)
    body = event.model_dump_json()
    for queue in ROUTES[event.type]:
        publisher()(settings.queue_url(queue), body, event.type.value)
    logger.debug("event relayed", extra={"event_id": event.id, "event_type": event.type.value})


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> Any:
    settings = load(RelaySettings)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event,
        record_handler=lambda record: publish_outbox_record(record, settings),
        processor=processor,
        context=context,
    )
