"""Event sources for the local cloud: what Lambda's event source mappings and EventBridge do on AWS.

moto runs no Lambda code, so these pollers read the embedded SQS queues, the table's stream and the
schedules of serverless.yml, and call the *same* handler functions with real-shaped events:

- SQS: batches of up to `batchSize`; the handler's `batchItemFailures` stay on the queue and come back
  (after `retry_delay` locally, instead of the visibility timeout) until maxReceiveCount moves them to
  the dead-letter queue, which SQS itself does;
- DynamoDB stream: records in order, filtered by the function's `filterPatterns`, retried from the
  first failed record, sent to the on-failure destination after `maximumRetryAttempts`;
- schedules: `rate(...)` and `cron(...)` expressions, plus `run_now` for tests and the dev console.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.core.dal import aws

Handler = Callable[[dict[str, Any], Any], Any]
# Fault injection (the chaos run) wraps every invocation: (function name, event, call) -> result.
Invoker = Callable[[str, dict[str, Any], Callable[[], Any]], Any]


def _direct(_: str, __: dict[str, Any], call: Callable[[], Any]) -> Any:
    return call()


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"
    function_version: str = "$LATEST"
    _deadline: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = (
            self.invoked_function_arn or f"arn:aws:lambda:local:123456789012:function:{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Stats:
    invocations: int = 0
    records: int = 0
    failures: int = 0
    errors: int = 0
    last_error: str = ""


class _Loop(threading.Thread):
    def __init__(self, name: str):
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()
        self.stats = Stats()

    def stop(self) -> None:
        self.stopping.set()


class _Source(_Loop):
    """One function fed by an event source mapping: polled in a loop, invoked as Lambda invokes it."""

    def __init__(
        self, kind: str, function: str, handler: Handler, region: str, timeout: int, invoker: Invoker
    ):
        super().__init__(f"{kind}:{function}")
        self.function = function
        self.handler = handler
        self.region = region
        self.timeout = timeout
        self.invoker = invoker
        self.idle = threading.Event()

    def poll_once(self) -> int:
        """Deliver what the source holds now; the number of messages or records read."""
        raise NotImplementedError

    def _invoke(self, event: dict[str, Any]) -> Any:
        return self.invoker(
            self.function,
            event,
            lambda: self.handler(event, LambdaContext(self.function, timeout_seconds=self.timeout)),
        )

    def _poll_in_loop(self, poll: Callable[[], int]) -> int | None:
        """One poll of the loop; None when it failed (noted, and waited a little before the next)."""
        try:
            return poll()
        except Exception as err:  # the emulator going away at shutdown
            if not self.stopping.is_set():
                self.stats.last_error = repr(err)
                time.sleep(0.5)
            return None


class SqsSource(_Source):
    def __init__(
        self,
        function: str,
        handler: Handler,
        queue_url: str,
        queue_arn: str,
        region: str,
        batch_size: int = 10,
        timeout: int = 30,
        retry_delay: int = 1,
        invoker: Invoker = _direct,
    ):
        super().__init__("sqs", function, handler, region, timeout, invoker)
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.batch_size = max(1, min(int(batch_size), 10))
        self.retry_delay = retry_delay

    def poll_once(self, wait: int = 0) -> int:
        """Receive one batch and hand it to the function; the number of messages delivered."""
        sqs = aws.sqs()
        messages = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait,
            VisibilityTimeout=max(self.timeout, 5),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if messages:
            self._deliver(sqs, messages)
        return len(messages)

    def run(self) -> None:
        while not self.stopping.is_set():
            delivered = self._poll_in_loop(lambda: self.poll_once(wait=1))
            if delivered is None:
                continue
            if delivered:
                self.idle.clear()
            else:
                self.idle.set()

    def _deliver(self, sqs: Any, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [self._record(m) for m in messages]}
        failed: set[str] = set()
        self.stats.invocations += 1
        self.stats.records += len(messages)
        try:
            answer = self._invoke(event)
            failed = {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
        except Exception as err:  # the whole batch failed, as when a Lambda invocation errors
            self.stats.errors += 1
            self.stats.last_error = repr(err)
            failed = {m["MessageId"] for m in messages}
        self.stats.failures += len(failed)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(done[start : start + 10])
                ],
            )
        retry = [m for m in messages if m["MessageId"] in failed]
        if retry:
            sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self.retry_delay}
                    for i, m in enumerate(retry)
                ],
            )

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": value.get("BinaryValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value.get("DataType", "String"),
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }


def matches(pattern: Any, value: Any) -> bool:
    """The subset of Lambda's event filtering the project uses: literals, prefix, exists, nesting."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(matches(p, value.get(k)) for k, p in pattern.items())
    if isinstance(pattern, list):
        for option in pattern:
            if isinstance(option, dict):
                if "prefix" in option and isinstance(value, str) and value.startswith(option["prefix"]):
                    return True
                if "exists" in option and (value is not None) == bool(option["exists"]):
                    return True
            elif value == option:
                return True
        return False
    return bool(pattern == value)


class StreamSource(_Source):
    def __init__(
        self,
        function: str,
        handler: Handler,
        stream_arn: str,
        region: str,
        batch_size: int = 100,
        filters: list[dict[str, Any]] | None = None,
        max_retries: int = 10,
        on_failure_queue_url: str | None = None,
        timeout: int = 30,
        invoker: Invoker = _direct,
        start_at: str = "TRIM_HORIZON",
    ):
        super().__init__("stream", function, handler, region, timeout, invoker)
        self.stream_arn = stream_arn
        self.batch_size = batch_size
        self.filters = filters or []
        self.max_retries = max_retries
        self.on_failure_queue_url = on_failure_queue_url
        self.start_at = start_at
        self.iterators: dict[str, str] = {}

    def poll_once(self) -> int:
        """Read what the stream has beyond the last position and deliver it; the number of records read."""
        streams = aws.client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self.iterators:
                self.iterators[shard["ShardId"]] = streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=self.start_at
                )["ShardIterator"]
        read = 0
        for shard_id in list(self.iterators):
            self.iterators[shard_id], got = self._poll(streams, shard_id, self.iterators[shard_id])
            read += got
        return read

    def run(self) -> None:
        while not self.stopping.is_set():
            read = self._poll_in_loop(self.poll_once)
            if read == 0:
                self.idle.set()
                self.stopping.wait(0.1)

    def _poll(self, streams: Any, shard_id: str, iterator: str) -> tuple[str, int]:
        answer = streams.get_records(ShardIterator=iterator, Limit=1000)
        records = answer.get("Records", [])
        if not records:
            return answer.get("NextShardIterator", iterator), 0
        self.idle.clear()
        wanted = [self._record(r) for r in records]
        wanted = [r for r in wanted if not self.filters or any(matches(f, r) for f in self.filters)]
        for start in range(0, len(wanted), self.batch_size):
            self._deliver(wanted[start : start + self.batch_size])
        return answer.get("NextShardIterator", iterator), len(records)

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        attempts = 0
        while batch and not self.stopping.is_set():
            event = {"Records": batch}
            self.stats.invocations += 1
            self.stats.records += len(batch)
            try:
                answer = self._invoke(event)
                failures = [f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])]
            except Exception as err:
                self.stats.errors += 1
                self.stats.last_error = repr(err)
                failures = [batch[0]["dynamodb"]["SequenceNumber"]]
            if not failures:
                return
            self.stats.failures += 1
            # Lambda restarts from the lowest failed sequence number; everything before it is done.
            first = min(failures, key=int)
            batch = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= int(first)]
            attempts += 1
            if attempts > self.max_retries:
                self._give_up(batch[:1])
                batch = batch[1:]
                attempts = 0
                continue
            time.sleep(min(0.05 * 2**attempts, 1.0))

    def _give_up(self, records: list[dict[str, Any]]) -> None:
        if not self.on_failure_queue_url:
            return
        for record in records:
            aws.sqs().send_message(
                QueueUrl=self.on_failure_queue_url,
                MessageBody=json.dumps(
                    {
                        "requestContext": {
                            "condition": "RetryAttemptsExhausted",
                            "functionArn": self.function,
                        },
                        "DDBStreamBatchInfo": {
                            "shardId": "local",
                            "streamArn": self.stream_arn,
                            "startSequenceNumber": record["dynamodb"]["SequenceNumber"],
                            "endSequenceNumber": record["dynamodb"]["SequenceNumber"],
                            "batchSize": 1,
                        },
                        "record": record,
                    },
                    default=str,
                ),
            )

    def _record(self, raw: dict[str, Any]) -> dict[str, Any]:
        record = json.loads(json.dumps(raw, default=_stream_default))
        record["eventSourceARN"] = self.stream_arn
        record.setdefault("awsRegion", self.region)
        return record


def _stream_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return value.decode()
    raise TypeError(type(value))


# -- schedules ---------------------------------------------------------------------------------------


def period_seconds(expression: str) -> float | None:
    """`rate(5 minutes)` in seconds; None for cron expressions (checked each minute instead)."""
    if expression.startswith("rate(") and expression.endswith(")"):
        amount, unit = expression[5:-1].split()
        seconds = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}[
            unit
        ]
        return int(amount) * seconds
    return None


def cron_due(expression: str, moment: datetime) -> bool:
    """Minutes, hours, day of month, month and day of week of an EventBridge cron (UTC), '*'/'?'/lists."""
    fields = expression[5:-1].split()
    values = [moment.minute, moment.hour, moment.day, moment.month]
    for spec, value in zip(fields[:4], values, strict=False):
        if spec in {"*", "?"}:
            continue
        if spec.startswith("*/"):
            if value % int(spec[2:]):
                return False
            continue
        if value not in {int(v) for v in spec.split(",")}:
            return False
    return True


class Scheduler(_Loop):
    def __init__(self, invoker: Invoker = _direct, region: str = "ap-southeast-1"):
        super().__init__("scheduler")
        self.jobs: dict[str, tuple[Handler, str]] = {}
        self.invoker = invoker
        self.region = region
        self._last: dict[str, float] = {}
        self.runs: dict[str, int] = {}

    def add(self, function: str, handler: Handler, expression: str) -> None:
        self.jobs[function] = (handler, expression)
        self._last[function] = time.monotonic()

    def run_now(self, function: str) -> Any:
        handler, _ = self.jobs[function]
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [f"arn:aws:events:{self.region}:123456789012:rule/{function}"],
            "detail": {},
        }
        self.runs[function] = self.runs.get(function, 0) + 1
        return self.invoker(function, event, lambda: handler(event, LambdaContext(function)))

    def run(self) -> None:
        last_minute = -1
        while not self.stopping.wait(1.0):
            now = time.monotonic()
            wall = datetime.now(UTC)
            for function, (_, expression) in self.jobs.items():
                period = period_seconds(expression)
                due = (period is not None and now - self._last[function] >= period) or (
                    period is None and wall.minute != last_minute and cron_due(expression, wall)
                )
                if due:
                    self._last[function] = now
                    try:
                        self.run_now(function)
                    except Exception as err:
                        self.stats.errors += 1
                        self.stats.last_error = repr(err)
            last_minute = wall.minute
