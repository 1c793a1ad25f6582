"""The outbox relay: an event written with its change reaches every queue its type routes to."""

from __future__ import annotations

import json
import os

from infra.sources import LambdaContext
from services.core import keys
from services.core.dal import aws, ddb
from services.core.dal.outbox import outbox_put
from services.core.events import ROUTES, Event, EventType
from services.core.handlers import relay


def _stream_records(table: str) -> list[dict]:
    streams = aws.client("dynamodbstreams")
    arn = aws.dynamodb().describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
    return [json.loads(json.dumps(r, default=str)) | {"eventSourceARN": arn} for r in records]


def _drain(url: str) -> list[dict]:
    found = []
    while True:
        messages = aws.sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            aws.sqs().delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_an_outbox_item_is_published_to_every_queue_of_its_type(cloud, table):
    # given a dossier change and its event written in one transaction
    event = Event(type=EventType.DOSSIER_SUBMITTED, dossier_id="d-relay", data={"code": "X-1"})
    change = {
        "Put": {"TableName": table, "Item": ddb.serialize({**keys.dossier("d-relay"), "status": "SUBMITTED"})}
    }
    ddb.transact(aws.dynamodb(), [change, outbox_put(table, event)])
    # when the relay receives the table's stream (the change and the outbox insert)
    records = [r for r in _stream_records(table) if "d-relay" in json.dumps(r) or event.id in json.dumps(r)]
    answer = relay.handler({"Records": records}, LambdaContext("relay"))
    # then nothing failed, and each routed queue got the envelope exactly as written
    assert answer == {"batchItemFailures": []}
    for queue in ROUTES[EventType.DOSSIER_SUBMITTED]:
        received = [m for m in _drain(os.environ[f"{queue.value.upper()}_QUEUE_URL"]) if m["id"] == event.id]
        assert len(received) == 1 and received[0]["type"] == "DossierSubmitted"
        assert received[0]["data"] == {"code": "X-1"}


def test_a_record_that_cannot_be_published_is_reported_for_retry(cloud, table, monkeypatch):
    # given an outbox event and a queue that refuses the message
    event = Event(type=EventType.PAYMENT_CONFIRMED, dossier_id="d-fail")
    ddb.transact(aws.dynamodb(), [outbox_put(table, event)])
    records = [r for r in _stream_records(table) if event.id in json.dumps(r)]
    monkeypatch.setenv(
        "PAYMENT_EVENTS_QUEUE_URL", "https://sqs.ap-southeast-1.amazonaws.com/123456789012/missing"
    )
    from services.core.settings import load

    load.cache_clear()
    try:
        # when
        answer = relay.handler({"Records": records}, LambdaContext("relay"))
    finally:
        load.cache_clear()
    # then the stream is told which record to retry
    assert answer["batchItemFailures"] == [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]
