"""The floor a queue or stream worker stands on: Powertools batch processing and one boto3 client."""

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

logger = Logger()
metrics = Metrics(namespace="Bench")
client = boto3.client("sqs")
processor = BatchProcessor(event_type=EventType.SQS)


def handler(event, context):
    return process_partial_response(
        event=event, record_handler=lambda record: None, processor=processor, context=context
    )
