"""`python -m infra redrive`: replay what the dead-letter queues hold, on the local cloud or on AWS.

Each queue's dead-letter queue is found from the queue's RedrivePolicy; queues are found by name (the
local cloud names them `{service}-{stage}-{LogicalId}`, CloudFormation `{stack}-{LogicalId}-{suffix}`).

- A message in a queue's DLQ goes back to its queue and is deleted from the DLQ; consumers are
  idempotent, so a message that had in fact been applied changes nothing the second time.
- A record in the relay's on-failure queue (stream records the relay could not publish) is read back:
  its outbox event is published to the queues its type routes to, as the relay would have.
- A poison message (a body no consumer can ever read) is not replayed: it stays in its DLQ and is
  reported, with the reason, for a person to look at. Replaying it would only bring it back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.core.dal import aws
from services.core.events import ROUTES, Event, Queue, from_outbox_image

SERVICE = "dichvucong"
RELAY_DLQ = "RelayDLQ"
UPLOADS_QUEUE = "UploadsQueue"


def queue_logical_name(queue: Queue) -> str:
    """`dossier_events` -> `DossierEventsQueue`: the serverless.yml resource of a logical queue."""
    return "".join(part.capitalize() for part in queue.value.split("_")) + "Queue"


@dataclass
class Poison:
    queue: str
    message_id: str
    reason: str


@dataclass
class Report:
    moved: dict[str, int] = field(default_factory=dict)  # DLQ logical name -> messages replayed
    poison: list[Poison] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.moved.values())

    def as_json(self) -> dict[str, Any]:
        return {"moved": self.moved, "total": self.total, "poison": [p.__dict__ for p in self.poison]}

    def lines(self) -> list[str]:
        out = ["| dead-letter queue | replayed |", "|---|---:|"]
        out += [f"| {name} | {count} |" for name, count in sorted(self.moved.items())]
        out.append(f"| **total** | **{self.total}** |")
        if self.poison:
            out.append("")
            out.append(f"Poison messages kept in their DLQ for a person to look at: {len(self.poison)}")
            out += [f"- {p.queue} {p.message_id}: {p.reason}" for p in self.poison]
        return out


def discover(stage: str, service: str = SERVICE) -> dict[str, dict[str, str]]:
    """Logical name -> {url, arn, dlq_arn?} of every queue of the stage."""
    sqs = aws.sqs()
    prefix = f"{service}-{stage}-"
    found: dict[str, dict[str, str]] = {}
    token: str | None = None
    while True:
        page = sqs.list_queues(
            QueueNamePrefix=prefix, MaxResults=1000, **({"NextToken": token} if token else {})
        )
        for url in page.get("QueueUrls", []):
            name = url.rsplit("/", 1)[-1]
            logical = re.split(r"-", name[len(prefix) :], maxsplit=1)[0]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])[
                "Attributes"
            ]
            entry = {"url": url, "arn": attributes["QueueArn"]}
            if "RedrivePolicy" in attributes:
                entry["dlq_arn"] = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
            found[logical] = entry
        token = page.get("NextToken")
        if not token:
            return found


def poison_reason(source: str, body: str) -> str | None:
    """Why a message can never be processed, or None if it can (a transient failure put it there)."""
    if source == UPLOADS_QUEUE:
        try:
            notice = json.loads(body)
        except ValueError:
            return "not JSON"
        if not isinstance(notice, dict) or not (
            notice.get("Event") == "s3:TestEvent" or isinstance(notice.get("Records"), list)
        ):
            return "not an S3 event notification"
        return None
    try:
        Event.model_validate_json(body)
    except ValidationError as err:
        return f"not an event envelope ({err.error_count()} errors)"
    return None


def _messages(url: str) -> list[dict[str, Any]]:
    """Everything in a DLQ, each received once (hidden while the redrive works through them)."""
    sqs = aws.sqs()
    out: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=120, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return out
        out += batch


def _release(url: str, messages: list[dict[str, Any]]) -> None:
    for start in range(0, len(messages), 10):
        aws.sqs().change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(messages[start : start + 10])
            ],
        )


def stream_image(body: dict[str, Any]) -> dict[str, Any] | None:
    """The NewImage of a stream record the relay gave up on: carried in the message (local cloud), or
    read back from the stream by its sequence number (AWS's on-failure record carries only positions)."""
    record = body.get("record")
    if record:
        return (record.get("dynamodb") or {}).get("NewImage")
    info = body.get("DDBStreamBatchInfo") or {}
    if not info.get("streamArn"):
        return None
    streams = aws.client("dynamodbstreams")
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=1).get("Records", [])
    return records[0]["dynamodb"].get("NewImage") if records else None


def redrive(stage: str, dry_run: bool = False, log: Callable[[str], None] = print) -> Report:
    queues = discover(stage)
    by_arn = {entry["arn"]: logical for logical, entry in queues.items()}
    report = Report()
    sqs = aws.sqs()
    for source, entry in sorted(queues.items()):
        dlq = by_arn.get(entry.get("dlq_arn", ""))
        if dlq is None:
            continue
        url = queues[dlq]["url"]
        messages = _messages(url)
        keep = []
        for message in messages:
            reason = poison_reason(source, message["Body"])
            if reason:
                report.poison.append(Poison(dlq, message["MessageId"], reason))
                keep.append(message)
                continue
            if dry_run:
                keep.append(message)
            else:
                attributes = {
                    name: {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
                    for name, value in message.get("MessageAttributes", {}).items()
                }
                sqs.send_message(
                    QueueUrl=entry["url"], MessageBody=message["Body"], MessageAttributes=attributes
                )
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            report.moved[dlq] = report.moved.get(dlq, 0) + 1
        _release(url, keep)
    if RELAY_DLQ in queues:
        _redrive_relay(queues, report, dry_run)
    log("\n".join(report.lines()))
    return report


def _redrive_relay(queues: dict[str, dict[str, str]], report: Report, dry_run: bool) -> None:
    url = queues[RELAY_DLQ]["url"]
    keep = []
    for message in _messages(url):
        try:
            image = stream_image(json.loads(message["Body"]))
            event = from_outbox_image(image) if image else None
        except (ValueError, KeyError, ValidationError):
            event = None
        if event is None:
            report.poison.append(Poison(RELAY_DLQ, message["MessageId"], "no outbox event in the record"))
            keep.append(message)
            continue
        if dry_run:
            keep.append(message)
        else:
            for queue in ROUTES[event.type]:
                aws.sqs().send_message(
                    QueueUrl=queues[queue_logical_name(queue)]["url"],
                    MessageBody=event.model_dump_json(),
                    MessageAttributes={"event_type": {"DataType": "String", "StringValue": event.type.value}},
                )
            aws.sqs().delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        report.moved[RELAY_DLQ] = report.moved.get(RELAY_DLQ, 0) + 1
    _release(url, keep)
