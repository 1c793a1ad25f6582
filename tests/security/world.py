"""Real data in the in-process cloud for the security tests: dossiers in the state each route acts on,
officials of the dossiers' agency, a feedback and a reconciliation report.

A route's cell points at these, so a refusal can only come from the credential; positive controls
take fresh ones, so nothing they change is seen by another cell.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.sources import LambdaContext
from infra.tokens import mint
from services.core import keys
from services.core.clock import iso, now
from services.core.dal import aws, ddb
from tests.apigw import Answer, call
from tests.factories import pdf_bytes, sqs_event
from tests.integration.flows import LEVEL2, LEVEL3, LEVEL4, auth, complete_draft, create, upload

A = "000.00.31.H53"  # Ủy ban nhân dân Phường 6: every dossier here is this agency's
B = "000.00.20.H53"  # Ủy ban nhân dân thành phố Sóc Trăng: A's parent
C = "000.00.02.H53"  # Sở Tư pháp: unrelated to A, the "another agency" of the matrix
STRUCTURE = {
    "tiers": [
        {"code": "province", "national_code": "1"},
        {"code": "district", "national_code": "2"},
        {"code": "commune", "national_code": "3"},
    ],
    "agencies": [
        {"code": A, "name": "Ủy ban nhân dân Phường 6", "tier": "commune", "parent": B},
        {"code": B, "name": "Ủy ban nhân dân thành phố Sóc Trăng", "tier": "district", "parent": None},
        {"code": C, "name": "Sở Tư pháp", "tier": "province", "parent": None},
    ],
    "oversight": [A],  # A stands for the province's People's Committee office: province-wide settings
}
SAMPLE = json.loads((Path(__file__).parent.parent / "events" / "tthc-package-sample.json").read_text())
POSTAL_ADDRESS = "Số 1 Lê Lợi, Phường 6, TP Sóc Trăng"


@dataclass
class Dossier:
    id: str
    access_token: str
    components: list[str]
    code: str | None = None
    file_id: str | None = None
    payment_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class World:
    """The four HTTP functions as Lambda runs them, and factories of real data behind them."""

    def __init__(self, cloud: Any, http: dict[str, ModuleType], verifier: ModuleType, delivery: ModuleType):
        self.cloud = cloud
        self.http = http
        self.table = os.environ["TABLE_NAME"]
        self.submission = (http["submission"], verifier)
        self.delivery = delivery
        self.report_day = "2026-11-25"
        self._shared: dict[str, Any] = {}
        self.writes = Writes()

    # -- calling ---------------------------------------------------------------------------------------

    def call(self, service: str, method: str, url: str, **kwargs: Any) -> Answer:
        return call(self.http[service].handler, method, url, **kwargs)

    @staticmethod
    @cache
    def official(agency: str = A, roles: tuple[str, ...] = ("receiver", "handler", "leader")) -> str:
        return mint(agency, list(roles), name="Cán bộ kiểm thử")

    # -- the shared data of the matrix (built once, never changed) -------------------------------------

    SHARED = ("draft", "submitted", "supplement_requested", "fee_due", "result_returned", "feedback", "other")

    def prepare(self) -> World:
        """The data every cell shares, built once; the submitted dossiers are then in agency A's inbox."""
        for kind in self.SHARED:
            self.shared(kind)
        self.cloud.pump()
        return self

    def shared(self, kind: str) -> Any:
        if kind not in self._shared:
            self._shared[kind] = self.make(kind)
        return self._shared[kind]

    def make(self, kind: str) -> Any:
        return {
            "draft": self.draft,
            "submitted": self.submitted,
            "supplement_requested": self.supplement_requested,
            "fee_due": self.fee_due,
            "result_returned": self.result_returned,
            "feedback": self.feedback,
            "other": self.other,
        }[kind]()

    # -- factories -------------------------------------------------------------------------------------

    def draft(self, code: str = LEVEL3, **overrides: Any) -> Dossier:
        """A complete draft: every required document uploaded and verified."""
        made = complete_draft(self.submission, code, **overrides)
        view = self.call(
            "submission", "GET", f"/api/submission/dossiers/{made['id']}", headers=auth(made["access_token"])
        ).json()
        return Dossier(
            made["id"],
            made["access_token"],
            [d["component_id"] for d in made["documents"]],
            file_id=view["files"][0]["file_id"],
        )

    def other(self) -> Dossier:
        """Somebody else's dossier: its token must open nothing but itself."""
        made = create(self.submission).json()
        return Dossier(made["id"], made["access_token"], [d["component_id"] for d in made["documents"]])

    def submitted(self, code: str = LEVEL3, **overrides: Any) -> Dossier:
        dossier = self.draft(code, **overrides)
        answer = self.call(
            "submission",
            "POST",
            f"/api/submission/dossiers/{dossier.id}/submit",
            headers=auth(dossier.access_token),
        )
        assert answer.status == 200, answer.text
        dossier.code = answer.json()["code"]
        return dossier

    def version(self, dossier: Dossier) -> int:
        detail = self.call(
            "tracking",
            "GET",
            f"/api/tracking/dossiers/{dossier.code}",
            headers=auth(self.official()),
        )
        assert detail.status == 200, detail.text
        return int(detail.json()["version"])

    def supplement_requested(self) -> Dossier:
        dossier = self.submitted()
        answer = self.call(
            "tracking",
            "POST",
            f"/api/tracking/dossiers/{dossier.code}/actions",
            headers=auth(self.official()),
            body={
                "action": "request_supplement",
                "expected_version": self.version(dossier),
                "note": "Bổ sung bản sao giấy khai sinh",
            },
        )
        assert answer.status == 200, answer.text
        # the citizen has uploaded what was asked for: the supplement can be sent
        upload(
            self.submission,
            {"id": dossier.id, "access_token": dossier.access_token},
            dossier.components[0],
            pdf_bytes("bo sung"),
        )
        return dossier

    def fee_due(self) -> Dossier:
        """A submitted dossier whose fee is due before processing, with an open payment order."""
        dossier = self.submitted(
            LEVEL4, form_data={"noi_dung_de_nghi": "Cấp phép karaoke"}, delivery={"method": "online"}
        )
        order = self.call(
            "payment",
            "POST",
            "/api/payment/payments",
            headers=auth(dossier.access_token),
            body={"dossier_id": dossier.id},
        )
        assert order.status == 201, order.text
        dossier.payment_id = order.json()["payment_id"]
        return dossier

    def result_returned(self) -> Dossier:
        """A dossier whose result was returned online and delivered (downloadable, ratable)."""
        dossier = self.submitted(
            LEVEL4,
            form_data={"noi_dung_de_nghi": "Cấp phép karaoke"},
            delivery={"method": "online", "address": POSTAL_ADDRESS},
        )
        result_key = f"results/{dossier.id}/r1.pdf"
        stored = aws.s3().put_object(
            Bucket=os.environ["RESULTS_BUCKET"], Key=result_key, Body=pdf_bytes("ket qua")
        )
        dynamodb = aws.dynamodb()
        dynamodb.put_item(
            TableName=self.table,
            Item=ddb.serialize(
                {
                    **keys.dossier_part(dossier.id, "RESULT#r1"),
                    "file_id": "r1",
                    "key": result_key,
                    "file_name": "Giay-phep.pdf",
                    "content_type": "application/pdf",
                    "size": 10,
                    # frozen as tracking freezes it at return_result
                    "sha256": hashlib.sha256(pdf_bytes("ket qua")).hexdigest(),
                    "version_id": stored["VersionId"],
                    "etag": stored["ETag"].strip('"'),
                }
            ),
        )
        # the workflow to this point is the tracking tests' business; here only the state matters
        dynamodb.update_item(
            TableName=self.table,
            Key=ddb.key(keys.dossier(dossier.id)),
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=ddb.values(s="RESULT_RETURNED"),
        )
        from services.core.events import Event, EventType

        event = Event(
            type=EventType.RESULT_RETURNED,
            dossier_id=dossier.id,
            data={"code": dossier.code, "result_file_id": "r1", "delivery_method": "online"},
        )
        answer = self.delivery.handler(sqs_event([event.model_dump_json()]), LambdaContext("resultDelivery"))
        assert answer == {"batchItemFailures": []}
        return dossier

    def feedback(self) -> str:
        """A citizen's feedback about one of agency A's dossiers: agency A answers it."""
        about = self.shared("submitted")
        answer = self.call(
            "tracking",
            "POST",
            "/api/tracking/feedback",
            body={
                "title": "Hồ sơ chậm trả kết quả",
                "content": "Hồ sơ của tôi đã quá hạn mà chưa có kết quả.",
                "contact": "0912345678",
                "dossier_code": about.code,
            },
        )
        assert answer.status == 201, answer.text
        return str(answer.json()["id"])

    def reconciliation_report(self) -> None:
        aws.dynamodb().put_item(
            TableName=self.table,
            Item=ddb.serialize(
                {
                    **keys.reconciliation_report(self.report_day),
                    "day": self.report_day,
                    "checked": 0,
                    "mismatches": [],
                    "generated_at": iso(now()),
                }
            ),
        )

    # -- what was written ------------------------------------------------------------------------------

    def item(self, key: dict[str, str]) -> dict[str, Any] | None:
        found = aws.dynamodb().get_item(TableName=self.table, Key=ddb.key(key), ConsistentRead=True)
        return found.get("Item")


class Writes:
    """Every write the functions send to AWS (table, buckets, queues, notices), seen on the SDK clients
    they share: a refused request must send none, not even one that changes nothing."""

    OPERATIONS = frozenset(
        {
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "BatchWriteItem",
            "TransactWriteItems",
            "PutObject",
            "CopyObject",
            "DeleteObject",
            "DeleteObjects",
            "CreateMultipartUpload",
            "SendMessage",
            "SendMessageBatch",
            "Publish",
            "SendEmail",
        }
    )
    SERVICES = ("dynamodb", "s3", "sqs", "sns", "ses")

    def __init__(self) -> None:
        self.seen: list[str] = []
        for service in self.SERVICES:
            aws.client(service).meta.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        if model.name in self.OPERATIONS:
            self.seen.append(f"{model.service_model.service_name}:{model.name}")

    def since(self, mark: int) -> list[str]:
        return self.seen[mark:]


def procedure_record(code: str | None = None) -> dict[str, Any]:
    """A procedure in the national package format, under a code no other test uses."""
    return {**copy.deepcopy(SAMPLE[0]), "MaTTHC": code or f"9.{uuid.uuid4().int % 10**6:06d}.000.00.00.H53"}


def install(cloud: Any) -> World:
    """The catalogue's sample procedures, the agencies, and the functions, imported as Lambda does."""
    from services.catalog.logic.tthc import Structure, parse_package
    from services.core.dal.structure import put_structure
    from services.core.procedures import procedure_item

    table = os.environ["TABLE_NAME"]
    level2 = {**copy.deepcopy(SAMPLE[0]), "MaTTHC": LEVEL2, "MUCDO": "2"}
    for procedure in parse_package([*SAMPLE, level2], Structure()).procedures:
        aws.dynamodb().put_item(TableName=table, Item=ddb.serialize(procedure_item(procedure)))
    put_structure(table, STRUCTURE)
    from services.catalog.handlers import http as catalog
    from services.payment.handlers import delivery
    from services.payment.handlers import http as payment
    from services.submission.handlers import http as submission
    from services.submission.handlers import verifier
    from services.tracking.handlers import http as tracking
    from services.tracking.wiring import _structure_cache

    _structure_cache.clear()
    world = World(
        cloud,
        {"catalog": catalog, "submission": submission, "payment": payment, "tracking": tracking},
        verifier,
        delivery,
    )
    world.reconciliation_report()
    return world
