"""The chaos run: many dossiers of levels 3 and 4 through the started local cloud while faults are
injected, then the invariant checker, the redrive, and the checker again.

Faults (all at once, at random, from a fixed seed):
- every worker (relay, verifier, consumers, delivery, refunds) dies at a random point of a random share of
  its invocations: before running, midway through a batch, or after running and before reporting;
- the national portal refuses posts; SQS redelivers whatever was not reported done;
- the gateway sends IPNs twice, concurrently, late (after the citizen's return), drops the first one,
  or sends it after the reconciliation has already settled the order;
- citizens cancel or fail a payment and pay again; officials act concurrently with payment events;
- poison messages no consumer can read;
- a burst during which the relay and the consumers fail every time, so that messages really reach the
  dead-letter queues and the redrive has something to replay.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories import pdf_bytes
from tests.forms import fill
from tests.http.journeys import auth, official, procedure, wait_for

FREE = "Đăng ký kết hôn"  # level 3, free
PAID_FIRST = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"  # level 4, fee before processing
WORKERS = (
    "relay",
    "uploadVerifier",
    "documentKeeper",
    "dossierEvents",
    "paymentEvents",
    "nationalSync",
    "resultDelivery",
    "refunder",
)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Đức", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Khoa",
    "Lâm",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Nhung",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Vy",
    "Yến",
]
MOBILE = ["090", "091", "093", "094", "097", "098", "086", "088", "070", "079", "081", "085", "032", "035"]


@dataclass
class Person:
    full_name: str
    id_number: str
    phone: str
    email: str
    address: str

    def as_json(self) -> dict[str, str]:
        return dict(self.__dict__)


def person(n: int, rng: random.Random) -> Person:
    """A distinct citizen: the privacy scan looks for each one's details in the logs."""
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return Person(
        full_name=name,
        id_number=f"094{rng.choice('0123')}{rng.randrange(60, 99):02d}{n:06d}",
        phone=f"{rng.choice(MOBILE)}{rng.randrange(0, 10_000_000):07d}",
        email=f"cong.dan.{n}.{rng.randrange(1000, 9999)}@thu.example.vn",
        address=f"Số {rng.randrange(1, 300)} đường Lê Lợi, Phường {rng.randrange(1, 10)}, TP Sóc Trăng",
    )


@dataclass
class Outcome:
    dossier_id: str
    code: str | None
    kind: str
    path: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)  # capability tokens and officials' JWTs used
    faults: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_fault(self, kind: str, count: int = 1) -> None:
        with self.lock:
            self.faults[kind] += count


class Chaos:
    def __init__(self, url: str, aws_endpoint: str, dossiers: int, seed: int = 20261126):
        self.url = url
        self.aws_endpoint = aws_endpoint
        self.total = dossiers
        self.rng = random.Random(seed)
        self.run = Run()
        self.api = httpx.Client(base_url=url, timeout=30)
        self.free = procedure(self.api, FREE)
        self.paid = procedure(self.api, PAID_FIRST)
        self._officials: dict[str, dict[str, str]] = {}

    # -- the whole run ---------------------------------------------------------------------------------

    def execute(self) -> Run:
        started = time.monotonic()
        self.poison()
        self.inject_worker_faults(probability=0.2)
        self.api.post("/sim/national/admin/faults", json={"refuse_next": max(3, self.total // 10)})
        self.run.add_fault("national portal refusals", max(3, self.total // 10))
        main = self.total - self.total // 10
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(self.lifecycle, n, self.rng.random()) for n in range(main)]
            for future in futures:
                future.result()
        self.phase("journeys", started)
        self.late_ipn_after_reconciliation()
        self.phase("late IPNs after reconciliation", started)
        self.dead_letter_burst(self.total // 10)
        self.phase("dead-letter burst", started)
        self.record_injected()
        self.api.delete("/sim/vnpay/admin/faults")
        self.quiet()
        self.phase("settling", started)
        self.run.seconds = time.monotonic() - started
        return self.run

    def phase(self, name: str, started: float) -> None:
        self.run.phases[name] = time.monotonic() - started - sum(self.run.phases.values())
        print(f"chaos: {name} took {self.run.phases[name]:.0f} s", flush=True)

    def inject_worker_faults(self, probability: float) -> None:
        for function in WORKERS:
            self.api.post("/local/faults", json={"function": function, "probability": probability})

    def record_injected(self) -> None:
        """The fault plan's own counters (function:where), added once at the end."""
        counts = self.api.delete("/local/faults").json()["injected"]
        for name, count in counts.items():
            function, where = name.split(":")
            self.run.add_fault(f"worker killed {where} ({function})", count)

    # -- one dossier ---------------------------------------------------------------------------------

    def newcomer(self, n: int, kind: str, rng: random.Random | None = None) -> tuple[Person, Outcome]:
        """Citizen number n (their details are what the privacy scan looks for) and their dossier's record."""
        citizen, outcome = person(n, rng or random.Random(n)), Outcome("", None, kind)
        with self.run.lock:
            self.run.people.append(citizen)
            self.run.outcomes.append(outcome)
        return citizen, outcome

    def lifecycle(self, n: int, dice: float) -> None:
        rng = random.Random(n * 7919 + 17)
        paid = dice < 0.45
        proc = self.paid if paid else self.free
        api = httpx.Client(base_url=self.url, timeout=30)
        citizen, outcome = self.newcomer(n, "level 4" if paid else "level 3", rng)
        try:
            dossier = self.citizen_submits(api, proc, citizen, outcome)
            if paid:
                self.citizen_pays(api, dossier, rng, outcome)
            self.officials_process(api, proc, dossier, rng, outcome, paid)
        except Exception as err:  # recorded: the invariants say whether anything was lost
            outcome.error = f"{type(err).__name__}: {err}"[:300]
        finally:
            api.close()

    def citizen_submits(
        self, api: httpx.Client, proc: dict[str, Any], citizen: Person, outcome: Outcome
    ) -> Any:
        body = {
            "procedure_code": proc["code"],
            "applicant": citizen.as_json(),
            "form_data": fill(proc["form_schema"]),
            "delivery": {
                "method": "online" if "online" in proc["delivery_methods"] else proc["delivery_methods"][0],
                "address": citizen.address,
            },
        }
        answer = api.post("/api/submission/dossiers", json=body)
        assert answer.status_code == 201, answer.text
        dossier = answer.json()
        outcome.dossier_id = dossier["id"]
        with self.run.lock:
            self.run.secrets.append(dossier["access_token"])
        token = auth(dossier["access_token"])
        for component in proc["components"]:
            if not component["required"]:
                continue
            content = pdf_bytes(f"Giay to {component['id']}")
            grant = api.post(
                f"/api/submission/dossiers/{dossier['id']}/files",
                headers=token,
                json={
                    "component_id": component["id"],
                    "file_name": "giay-to.pdf",
                    "content_type": "application/pdf",
                    "size": len(content),
                },
            )
            assert grant.status_code == 201, grant.text
            form = grant.json()["upload"]
            stored = httpx.post(
                form["url"],
                data=form["fields"],
                files={"file": ("giay-to.pdf", content, "application/pdf")},
                timeout=30,
            )
            assert stored.status_code in (200, 201, 204), stored.text
        outcome.path.append("uploaded")

        def verified() -> bool:
            files = api.get(f"/api/submission/dossiers/{dossier['id']}", headers=token).json()["files"]
            return bool(files) and all(f["status"] == "VERIFIED" for f in files)

        wait_for(verified, 90, every=1.0, what="the verifier")
        for _ in range(3):  # a citizen on a bad connection presses submit again
            answer = api.post(f"/api/submission/dossiers/{dossier['id']}/submit", headers=token)
            assert answer.status_code == 200, answer.text
        outcome.code = answer.json()["code"]
        outcome.path.append("submitted")
        return dossier

    def citizen_pays(
        self, api: httpx.Client, dossier: dict[str, Any], rng: random.Random, outcome: Outcome
    ) -> None:
        token = auth(dossier["access_token"])
        if rng.random() < 0.25:  # a first attempt cancelled or failed at the gateway, then paid again
            first = api.post(
                "/api/payment/payments", headers=token, json={"dossier_id": dossier["id"]}
            ).json()
            failed = rng.choice(["cancel", "failure"])
            api.post("/sim/vnpay/admin/pay", json={"pay_url": first["pay_url"], "outcome": failed})
            self.run.add_fault(
                {"cancel": "payment cancelled, paid again", "failure": "payment failed, paid again"}[failed]
            )
            wait_for(
                lambda: (
                    api.get(f"/api/payment/payments/{first['payment_id']}", headers=token).json()["status"]
                    != "PENDING"
                ),
                60,
                every=1.0,
                what="the first attempt's IPN",
            )
            outcome.path.append(f"payment {failed}")
        order = api.post("/api/payment/payments", headers=token, json={"dossier_id": dossier["id"]})
        assert order.status_code in (200, 201), order.text
        order = order.json()
        gateway = rng.random()
        if gateway < 0.2:
            fault, patch = "IPN duplicated", {"duplicate_ipn": 2}
        elif gateway < 0.35:
            fault, patch = "IPN concurrent", {"concurrent_ipn": 3}
        elif gateway < 0.5:
            fault, patch = "IPN after the return", {"delay_ipn_seconds": 3}
        elif gateway < 0.6:
            fault, patch = "first IPN dropped", {"drop_first_ipn": True}
        else:
            fault, patch = "", {}
        # the simulator's faults are global: the gateway behaves this way for whoever pays meanwhile
        if patch:
            api.post("/sim/vnpay/admin/faults", json=patch)
            self.run.add_fault(fault)
        paid = api.post(
            "/sim/vnpay/admin/pay", json={"pay_url": order["pay_url"], "outcome": "success"}
        ).json()
        if patch:
            api.delete("/sim/vnpay/admin/faults")
        back = api.get(paid["return_url"].replace(self.url, ""), follow_redirects=False)
        assert back.status_code == 302, back.text
        wait_for(
            lambda: (
                api.get(f"/api/payment/payments/{order['payment_id']}", headers=token).json()["status"]
                == "PAID"
            ),
            90,
            every=1.0,
            what="the IPN",
        )
        outcome.path.append("paid")

    def officials_process(
        self,
        api: httpx.Client,
        proc: dict[str, Any],
        dossier: Any,
        rng: random.Random,
        outcome: Outcome,
        paid: bool,
    ) -> None:
        agency = proc["agency"]["code"]
        code = str(outcome.code)
        headers = self.official(agency)

        def detail() -> dict[str, Any] | None:
            answer = api.get(f"/api/tracking/dossiers/{code}", headers=headers)
            return answer.json() if answer.status_code == 200 else None

        found = wait_for(detail, 90, every=1.0, what="the inbox")
        if paid:
            wait_for(
                lambda: (detail() or {}).get("payment_status") == "PAID",
                90,
                every=1.0,
                what="tracking hearing of the payment",
            )
        fate = rng.random()
        if fate < 0.15:
            self.act(api, code, headers, "refuse", note="Hồ sơ không thuộc thẩm quyền giải quyết")
            outcome.path.append("refused")
            return
        if fate < 0.3:
            outcome.path.append("left in the inbox")
            return
        self.act(api, code, headers, "accept")
        if fate < 0.45:
            outcome.path.append("accepted")
            return
        self.act(api, code, headers, "start")
        self.act(api, code, headers, "complete", outcome="approved")
        document = pdf_bytes(f"Ket qua {code}")
        grant = api.post(
            f"/api/tracking/dossiers/{code}/result-files",
            headers=headers,
            json={"file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": len(document)},
        )
        assert grant.status_code == 201, grant.text
        form = grant.json()["upload"]
        assert httpx.post(
            form["url"], data=form["fields"], files={"file": ("ket-qua.pdf", document, "application/pdf")}
        ).status_code in (200, 204)
        self.act(api, code, headers, "return_result", result=grant.json()["file_id"])
        outcome.path.append("result returned")
        del found

    def act(self, api: httpx.Client, code: str, headers: dict[str, str], action: str, **extra: Any) -> None:
        """An official's action, retried when a payment event or a colleague got there first."""
        for _ in range(10):
            version = api.get(f"/api/tracking/dossiers/{code}", headers=headers).json()["version"]
            answer = api.post(
                f"/api/tracking/dossiers/{code}/actions",
                headers=headers,
                json={"action": action, "expected_version": version, **extra},
            )
            if answer.status_code == 200:
                return
            if answer.status_code != 409:
                raise AssertionError(f"{action}: {answer.status_code} {answer.text}")
            self.run.add_fault("official's action raced (409, retried)")
        raise AssertionError(f"{action} kept conflicting")

    def official(self, agency: str) -> dict[str, str]:
        if agency not in self._officials:
            self._officials[agency] = official(agency)
            with self.run.lock:
                self.run.secrets.append(self._officials[agency]["Authorization"].split(" ", 1)[1])
        return self._officials[agency]

    # -- the special phases ------------------------------------------------------------------------------

    def poison(self) -> None:
        """Messages no consumer can ever read: they must end in a DLQ, be reported, and not be replayed."""
        import boto3

        sqs = boto3.client(
            "sqs",
            endpoint_url=self.aws_endpoint,
            region_name="ap-southeast-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        urls = sqs.list_queues(QueueNamePrefix="dichvucong-local-")["QueueUrls"]
        targets = {
            "DossierEventsQueue": ["{not json", json.dumps({"type": "NoSuchEvent", "dossier_id": "x"})],
            "UploadsQueue": ["rác"],
            "PaymentEventsQueue": [json.dumps({"hello": "world"})],
        }
        for url in urls:
            for body in targets.get(url.rsplit("-", 1)[-1], []):
                sqs.send_message(QueueUrl=url, MessageBody=body)
                self.run.add_fault("poison message")

    def late_ipn_after_reconciliation(self) -> None:
        """The IPN is so late that the reconciliation job asks the gateway and settles the order first."""
        api = self.api
        for n in range(2):
            citizen, outcome = self.newcomer(900_000 + n, "level 4")
            dossier = self.citizen_submits(api, self.paid, citizen, outcome)
            token = auth(dossier["access_token"])
            order = api.post(
                "/api/payment/payments", headers=token, json={"dossier_id": dossier["id"]}
            ).json()
            api.post("/sim/vnpay/admin/faults", json={"delay_ipn_seconds": 15})
            api.post("/sim/vnpay/admin/pay", json={"pay_url": order["pay_url"], "outcome": "success"})
            api.delete("/sim/vnpay/admin/faults")
            api.post("/local/clock", json={"seconds": 30 * 60})  # forward only: past the order's expiry
            settled = api.post("/local/schedules/paymentReconciler", timeout=300).json()
            assert (
                api.get(f"/api/payment/payments/{order['payment_id']}", headers=token).json()["status"]
                == "PAID"
            ), settled
            self.run.add_fault("IPN after the reconciliation settled the order")
            outcome.path += ["paid (reconciled)"]

    def dead_letter_burst(self, count: int) -> None:
        """Everything downstream fails every time for a while: events and stream records reach the DLQs."""
        api = self.api
        for function in ("relay", "dossierEvents", "nationalSync", "documentKeeper"):
            api.post(
                "/local/faults", json={"function": function, "probability": 1.0, "random_where": "before"}
            )
        dossiers = []
        for n in range(2):  # the stream waits on each record through all its retries: keep it short
            citizen, outcome = self.newcomer(800_000 + n, "level 3 (dead-letter burst)")
            dossiers.append(self.citizen_submits(api, self.free, citizen, outcome))
        # the relay gives up on its records after its retries: they wait in its on-failure queue
        wait_for(
            lambda: self.api.get("/local/dlq").json().get("RelayDLQ", 0) >= 1,
            120,
            every=1,
            what="stream records in the relay's DLQ",
        )
        api.post("/local/faults", json={"function": "relay", "probability": 0.0})
        self.record_injected()
        self.inject_worker_faults(0.0)
        for function in ("dossierEvents", "nationalSync", "documentKeeper"):
            api.post(
                "/local/faults", json={"function": function, "probability": 1.0, "random_where": "before"}
            )
        # more submissions whose events the relay does publish, and the consumers fail to the end
        for n in range(max(1, count)):
            citizen, outcome = self.newcomer(700_000 + n, "level 3 (dead-letter burst)")
            dossiers.append(self.citizen_submits(api, self.free, citizen, outcome))

        def dead_lettered() -> bool:
            depth = self.api.get("/local/dlq").json()
            return (
                depth.get("DossierEventsDLQ", 0) >= 2 + max(1, count)
                and depth.get("SyncEventsDLQ", 0) >= 1
                and depth.get("SubmissionEventsDLQ", 0) >= 1
            )

        wait_for(dead_lettered, 180, every=1, what="events in the consumers' DLQs")
        self.record_injected()
        self.run.add_fault("dossiers submitted during the dead-letter burst", len(dossiers))

    def quiet(self, timeout: float = 300) -> None:
        """Wait until no queue holds a message and no source has run for a while."""

        def calls() -> int:
            return sum(s["invocations"] for s in self.api.get("/local/status").json()["sources"])

        import boto3

        sqs = boto3.client(
            "sqs",
            endpoint_url=self.aws_endpoint,
            region_name="ap-southeast-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        urls = [
            u
            for u in sqs.list_queues(QueueNamePrefix="dichvucong-local-")["QueueUrls"]
            if not u.endswith("DLQ")
        ]
        deadline = time.monotonic() + timeout
        last, still = -1, 0
        while time.monotonic() < deadline:
            pending = 0
            for url in urls:
                attributes = sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                pending += sum(int(v) for v in attributes.values())
            now = calls()
            still = still + 1 if pending == 0 and now == last else 0
            if still >= 3:
                return
            last = now
            time.sleep(1.0)
        raise TimeoutError("the local cloud did not become quiet")
