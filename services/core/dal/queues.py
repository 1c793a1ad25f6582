"""The SQS queues events are published to."""

from __future__ import annotations

from services.core.dal import aws


def send(queue_url: str, body: str, event_type: str) -> None:
    aws.sqs().send_message(
        QueueUrl=queue_url,
        MessageBody=body,
        MessageAttributes={"event_type": {"DataType": "String", "StringValue": event_type}},
    )
