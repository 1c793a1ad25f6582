"""Each operation of the suite run in process, as Lambda runs it, against the embedded AWS:
how many AWS calls it makes (moto's recorder) and how long it takes, with the emulator's share.

The emulator's share is the wall time spent inside AWS calls (botocore's before-send/after-call
hooks); what remains is the function's own time, which is what Lambda bills on AWS plus the real
AWS latency of the same calls.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench.cloud import Recorder
from infra.cloud import LocalCloud
from infra.sources import LambdaContext
from infra.tokens import mint
from services.core.dal import aws, ddb
from tests.apigw import call
from tests.factories import applicant, pdf_bytes, s3_created, sqs_event
from tests.forms import fill


class _Clock:
    """Wall time inside AWS calls. FastAPI runs sync endpoints on a worker thread, so the bench (which
    measures one operation at a time) keeps one total, not one per thread."""

    def __init__(self) -> None:
        self.total = 0.0
        self.started: dict[int, float] = {}
        self.lock = threading.Lock()


_aws_time = _Clock()


def _watch_clients() -> None:
    """Accumulate the time each thread spends inside AWS calls."""
    for service in ("dynamodb", "s3", "sqs", "ses", "sns", "dynamodbstreams"):
        events = aws.client(service).meta.events
        if getattr(events, "_bench_watched", False):
            continue
        events.register("before-send", _start)
        events.register("after-call", _stop)
        events._bench_watched = True  # type: ignore[attr-defined]


def _start(**_: Any) -> None:
    with _aws_time.lock:
        _aws_time.started[threading.get_ident()] = time.perf_counter()


def _stop(**_: Any) -> None:
    with _aws_time.lock:
        started = _aws_time.started.pop(threading.get_ident(), None)
        if started is not None:
            _aws_time.total += time.perf_counter() - started


@dataclass
class Measured:
    name: str
    calls: Counter[str] = field(default_factory=Counter)
    per: int = 1
    timings_ms: list[float] = field(default_factory=list)
    emulator_ms: list[float] = field(default_factory=list)

    @property
    def total_calls(self) -> float:
        return sum(self.calls.values()) / self.per

    def p(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    @property
    def own_ms(self) -> list[float]:
        return [t - e for t, e in zip(self.timings_ms, self.emulator_ms, strict=True)]


def timed(measured: Measured, run: Callable[[], Any]) -> Any:
    _aws_time.total = 0.0
    started = time.perf_counter()
    result = run()
    measured.timings_ms.append((time.perf_counter() - started) * 1000)
    measured.emulator_ms.append(_aws_time.total * 1000)
    return result


class Scenario:
    """Dossiers taken through every operation, in process, against the embedded AWS."""

    def __init__(self, cloud: LocalCloud):
        self.cloud = cloud
        self.recorder = Recorder(cloud.options.aws_endpoint)
        self.async_runs: dict[str, Measured] = {}
        self._watch_async()
        handlers = cloud.load_functions()
        self.fn = {name: handler for name, (_, handler) in handlers.items()}
        asyncio.set_event_loop(asyncio.new_event_loop())
        _watch_clients()

    def _http(self, function: str, method: str, path: str, **kwargs: Any) -> Any:
        answer = call(self.fn[function], method, path, **kwargs)
        if answer.status >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status} {answer.text[:300]}")
        return answer

    def _watch_async(self) -> None:
        """Time every queue, stream and schedule invocation the event layer makes during the run."""
        invoke = self.cloud.faults.invoke

        def timed_invoke(function: str, event: dict[str, Any], run: Callable[[], Any]) -> Any:
            measured = self.async_runs.setdefault(function, Measured(function))
            records = len(event.get("Records", [])) or 1
            result = timed(measured, lambda: invoke(function, event, run))
            measured.calls["records"] += records
            measured.per = len(measured.timings_ms)
            return result

        self.cloud.faults.invoke = timed_invoke  # type: ignore[method-assign]

    def item_sizes(self) -> dict[str, float]:
        """Mean stored size in bytes of each kind of item (the table is the bench's own: a scan is fine)."""
        from collections import defaultdict

        sizes: dict[str, list[int]] = defaultdict(list)
        projected = self.inbox_projection()
        for item in ddb.all_items(aws.dynamodb().scan, TableName=os.environ["TABLE_NAME"]):
            kind = item["PK"]["S"].split("#", 1)[0]
            if kind == "DOSSIER":
                kind += "/" + item["SK"]["S"].split("#", 1)[0]
            sizes[kind].append(_size(item))
            if kind == "DOSSIER/META" and ("GSI1PK" in item or "GSI2PK" in item):
                # what GSI1 and GSI2 hold of the dossier: the projected columns, or all of it
                entry = item if projected is None else {k: v for k, v in item.items() if k in projected}
                sizes["DOSSIER/INDEX"].append(_size(entry))
        return {kind: statistics.mean(values) for kind, values in sorted(sizes.items())}

    @staticmethod
    def inbox_projection() -> set[str] | None:
        """The attributes GSI1 keeps of an item as the table was created (None: all of them)."""
        table = aws.dynamodb().describe_table(TableName=os.environ["TABLE_NAME"])["Table"]
        index = next(i for i in table.get("GlobalSecondaryIndexes", []) if i["IndexName"] == "GSI1")
        projection = index["Projection"]
        if projection["ProjectionType"] == "ALL":
            return None
        return {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", *projection.get("NonKeyAttributes", [])}

    def procedure(self, name: str) -> dict[str, Any]:
        found = self._http("catalogApi", "GET", f"/api/catalog/procedures?q={name}&limit=1").json()["items"][
            0
        ]
        return dict(self._http("catalogApi", "GET", f"/api/catalog/procedures/{found['code']}").json())

    def run(self, repeats: int = 15) -> dict[str, Measured]:
        results = {
            n: Measured(n)
            for n in (
                "search (warm)",
                "procedure detail",
                "create draft",
                "presign upload",
                "verify upload",
                "submit",
                "inbox page",
                "official action",
                "IPN",
                "result delivery",
            )
        }
        marriage = self.procedure("Đăng ký kết hôn")
        record = self.procedure("Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
        self._http("catalogApi", "GET", "/api/catalog/procedures?q=dang%20ky")  # warm the index
        agency = marriage["agency"]["code"]
        officer = {"authorization": f"Bearer {mint(agency, ['receiver', 'handler', 'leader'])}"}
        for _ in range(repeats):
            self._measure(
                results["search (warm)"],
                lambda: self._http("catalogApi", "GET", "/api/catalog/procedures?q=dang%20ky%20ket%20hon"),
            )
            self._measure(
                results["procedure detail"],
                lambda: self._http("catalogApi", "GET", f"/api/catalog/procedures/{marriage['code']}"),
            )
            dossier = self._measure(results["create draft"], lambda: self._draft(marriage))
            self._documents(marriage, dossier, results["presign upload"], results["verify upload"])
            submitted = self._measure(results["submit"], partial(self._submit, dossier))
            self.cloud.pump()
            self._measure(
                results["inbox page"],
                lambda: self._http("trackingApi", "GET", "/api/tracking/dossiers?limit=20", headers=officer),
            )
            version = self._http(
                "trackingApi", "GET", f"/api/tracking/dossiers/{submitted['code']}", headers=officer
            ).json()["version"]
            self._measure(
                results["official action"], partial(self._accept, submitted["code"], version, officer)
            )
            self._payment(record, results["IPN"])
            self._delivery(results["result delivery"], dossier, submitted["code"])
        return results

    def _documents(
        self, proc: dict[str, Any], dossier: dict[str, Any], presign: Measured, verify: Measured
    ) -> None:
        """Every document of the dossier presigned, stored and verified (as the verifier's queue would)."""
        for component in proc["components"]:
            grant = self._measure(presign, lambda c=component: self._presign(dossier, c["id"]))
            key = grant["upload"]["fields"]["key"]
            body = pdf_bytes()
            etag = aws.s3().put_object(Bucket=os.environ["UPLOADS_BUCKET"], Key=key, Body=body)["ETag"]
            event = sqs_event([s3_created(os.environ["UPLOADS_BUCKET"], key, len(body), etag)])
            self._measure(
                verify, lambda e=event: self.fn["uploadVerifier"](e, LambdaContext("uploadVerifier"))
            )

    def profile_event_path(self, dossiers: int = 10) -> dict[str, Any]:
        """A profile of the path from submit to inbox: `dossiers` submitted, then the stream, the relay,
        the queue and the dossier-events consumer run under cProfile until every one is placed."""
        import cProfile
        import pstats

        marriage = self.procedure("Đăng ký kết hôn")
        scratch = Measured("scratch")
        for _ in range(dossiers):
            dossier = self._draft(marriage)
            self._documents(marriage, dossier, scratch, scratch)
            self._submit(dossier)
        self.cloud.pump()  # the verifier's own S3 notifications: not part of the stage
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        self.cloud.pump()
        profiler.disable()
        wall_ms = (time.perf_counter() - started) * 1000
        stats = pstats.Stats(profiler)
        by_area: Counter[str] = Counter()
        for (filename, _, function), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
            by_area[_area(filename if filename != "~" else function)] += own * 1000
        return {"dossiers": dossiers, "wall_ms": wall_ms, "by_area_ms": dict(by_area.most_common())}

    def _submit(self, dossier: dict[str, Any]) -> dict[str, Any]:
        return dict(
            self._http(
                "submissionApi",
                "POST",
                f"/api/submission/dossiers/{dossier['id']}/submit",
                headers={"authorization": f"Bearer {dossier['access_token']}"},
            ).json()
        )

    def _accept(self, code: str, version: int, officer: dict[str, str]) -> Any:
        return self._http(
            "trackingApi",
            "POST",
            f"/api/tracking/dossiers/{code}/actions",
            headers=officer,
            body={"action": "accept", "expected_version": version},
        )

    def _measure(self, measured: Measured, run: Callable[[], Any]) -> Any:
        with self.recorder.recording() as calls:
            result = timed(measured, run)
        measured.calls.update(calls)
        measured.per = len(measured.timings_ms)
        return result

    def _draft(self, proc: dict[str, Any], method: str | None = None) -> dict[str, Any]:
        body = {
            "procedure_code": proc["code"],
            "applicant": applicant(),
            "form_data": fill(proc["form_schema"]),
            "delivery": {"method": method or proc["delivery_methods"][0]},
        }
        return dict(self._http("submissionApi", "POST", "/api/submission/dossiers", body=body).json())

    def _presign(self, dossier: dict[str, Any], component: str) -> dict[str, Any]:
        return dict(
            self._http(
                "submissionApi",
                "POST",
                f"/api/submission/dossiers/{dossier['id']}/files",
                headers={"authorization": f"Bearer {dossier['access_token']}"},
                body={
                    "component_id": component,
                    "file_name": "a.pdf",
                    "content_type": "application/pdf",
                    "size": len(pdf_bytes()),
                },
            ).json()
        )

    def _payment(self, proc: dict[str, Any], measured: Measured) -> None:
        from infra.sim import vnpay as gateway

        dossier = self._draft(proc, "online")
        token = {"authorization": f"Bearer {dossier['access_token']}"}
        for component in proc["components"]:
            if component["required"]:
                grant = self._presign(dossier, component["id"])
                key = grant["upload"]["fields"]["key"]
                etag = aws.s3().put_object(Bucket=os.environ["UPLOADS_BUCKET"], Key=key, Body=pdf_bytes())[
                    "ETag"
                ]
                self.fn["uploadVerifier"](
                    sqs_event([s3_created(os.environ["UPLOADS_BUCKET"], key, len(pdf_bytes()), etag)]),
                    LambdaContext("uploadVerifier"),
                )
        self._http("submissionApi", "POST", f"/api/submission/dossiers/{dossier['id']}/submit", headers=token)
        order = self._http(
            "paymentApi", "POST", "/api/payment/payments", headers=token, body={"dossier_id": dossier["id"]}
        ).json()
        sent = dict(parse_qsl(urlsplit(order["pay_url"]).query))
        params = gateway.signed(
            {
                "vnp_Amount": sent["vnp_Amount"],
                "vnp_BankCode": "NCB",
                "vnp_BankTranNo": "VNP1",
                "vnp_CardType": "ATM",
                "vnp_OrderInfo": sent["vnp_OrderInfo"],
                "vnp_PayDate": "20261126110000",
                "vnp_ResponseCode": "00",
                "vnp_TmnCode": sent["vnp_TmnCode"],
                "vnp_TransactionNo": "1",
                "vnp_TransactionStatus": "00",
                "vnp_TxnRef": sent["vnp_TxnRef"],
            },
            self.cloud.options.vnpay_hash_secret,
        )
        self._measure(
            measured, lambda: self._http("paymentApi", "GET", f"/api/payment/vnpay/ipn?{urlencode(params)}")
        )

    def _delivery(self, measured: Measured, dossier: dict[str, Any], code: str) -> None:
        from services.core import keys
        from services.core.dal import ddb
        from services.core.events import Event, EventType

        table = os.environ["TABLE_NAME"]
        aws.dynamodb().put_item(
            TableName=table,
            Item=ddb.serialize(
                {
                    **keys.dossier_part(dossier["id"], "RESULT#r"),
                    "file_id": "r",
                    "key": f"results/{dossier['id']}/r.pdf",
                    "file_name": "kq.pdf",
                    "content_type": "application/pdf",
                    "size": 10,
                }
            ),
        )
        event = Event(
            type=EventType.RESULT_RETURNED,
            dossier_id=dossier["id"],
            data={"code": code, "result_file_id": "r", "delivery_method": "in_person"},
        )
        self._measure(
            measured,
            lambda: self.fn["resultDelivery"](
                sqs_event([event.model_dump_json()]), LambdaContext("resultDelivery")
            ),
        )


AREAS = (
    (
        "waiting for the emulator (sockets, HTTP)",
        ("socket", "ssl", "http/client", "urllib3", "select", "poll"),
    ),
    ("botocore: signing, serialising, parsing", ("botocore", "boto3", "xml", "dateutil")),
    ("our code (services, infra)", ("/services/", "/infra/")),
    ("Powertools", ("aws_lambda_powertools",)),
    ("pydantic and json", ("pydantic", "json")),
    ("the event layer's waits (sleeps, locks)", ("threading", "queue.py", "sleep", "acquire")),
)


def _area(filename: str) -> str:
    for name, marks in AREAS:
        if any(mark in filename for mark in marks):
            return name
    return "other (interpreter, standard library)"


def summarise(measured: Measured) -> dict[str, float]:
    return {
        "calls": measured.total_calls,
        "p50": statistics.median(measured.timings_ms),
        "p99": measured.p(measured.timings_ms, 0.99),
        "own_p50": statistics.median(measured.own_ms),
        "emulator_p50": statistics.median(measured.emulator_ms),
    }


def _size(item: dict[str, Any]) -> int:
    return len(str(item).encode()) // 2  # roughly DynamoDB's name + value bytes
