"""Result delivery as a use case, on the in-memory repository: recorded once, each notice sent once."""

from __future__ import annotations

import json
from typing import Any

from services.core import keys
from services.core.dossier import DossierRecord
from services.core.events import Event, EventType
from services.core.repository import InMemoryDossierRepository
from services.payment.logic.delivery import Delivery
from services.payment.logic.postal import LocalCarrier, Shipment
from tests.unit.test_payment_fakes import Clock, dossier_meta

ADDRESS = "Số 1 Lê Lợi, Phường 6, TP Sóc Trăng"


class FakeNotifier:
    def __init__(self) -> None:
        self.emails: list[tuple[str, str, str]] = []
        self.texts: list[tuple[str, str]] = []

    def email(self, to: str, subject: str, body: str) -> str:
        self.emails.append((to, subject, body))
        return f"email-{len(self.emails)}"

    def sms(self, phone: str, text: str) -> str:
        self.texts.append((phone, text))
        return f"sms-{len(self.texts)}"


class CountingCarrier:
    def __init__(self) -> None:
        self.booked: list[tuple[str, str]] = []

    def ship(self, dossier_code: str, address: str) -> Shipment:
        self.booked.append((dossier_code, address))
        return LocalCarrier().ship(dossier_code, address)


def returned(
    method: str, repository: type[InMemoryDossierRepository] = InMemoryDossierRepository, **meta: Any
) -> InMemoryDossierRepository:
    """A dossier whose result r1 was returned, frozen at version v1."""
    return repository(
        [
            dossier_meta(status="RESULT_RETURNED", delivery={"method": method, "address": ADDRESS}, **meta),
            {
                **keys.dossier_part("d1", "RESULT#r1"),
                "file_id": "r1",
                "key": "results/d1/r1.pdf",
                "file_name": "Giay-phep.pdf",
                "content_type": "application/pdf",
                "size": 10,
                "sha256": "ab" * 32,
                "version_id": "v1",
                "etag": "etag-1",
            },
        ]
    )


def result_returned(method: str | None = None) -> Event:
    data = {"code": "000.00.01.H60-261126-0001", "result_file_id": "r1"}
    return Event(
        type=EventType.RESULT_RETURNED,
        dossier_id="d1",
        data={**data, **({"delivery_method": method} if method else {})},
    )


def delivered_events(dossiers: InMemoryDossierRepository) -> list[dict[str, Any]]:
    return [
        json.loads(item["event"])
        for item in dossiers.items.values()
        if item.get("event_type") == EventType.RESULT_DELIVERED.value
    ]


def test_an_online_result_is_recorded_once_and_the_citizen_told_once():
    # given a dossier whose result was returned online
    dossiers, notifier = returned("online"), FakeNotifier()
    delivery = Delivery(dossiers, notifier, CountingCarrier(), "https://portal.test", Clock())
    # when the event arrives twice
    first = delivery.deliver(result_returned("online"))
    second = delivery.deliver(result_returned("online"))
    # then the DELIVERY part points at the frozen version of the result, written once
    part = dossiers.load("d1").delivery
    assert part is not None and part.method == "online" and part.result_key == "results/d1/r1.pdf"
    assert part.get("result_version_id") == "v1" and part.get("result_etag") == "etag-1"
    assert part.get("result_sha256") == "ab" * 32
    assert len(delivered_events(dossiers)) == 1
    # and one email and one text message went out, with the code and no personal data
    assert first == {"method": "online", "notices": ["email", "sms"]}
    assert second == {"method": "online", "notices": []}
    ((to, subject, body),) = notifier.emails
    assert to == "a@example.vn" and "000.00.01.H60-261126-0001" in subject
    assert "Nguyễn" not in body and "https://portal.test/ho-so.html#id=d1" in body
    assert [phone for phone, _ in notifier.texts] == ["+84912345678"]
    assert dossiers.load("d1").notices["email"].get("message_id") == "email-1"


def test_a_postal_result_books_one_shipment_to_the_chosen_address():
    # given a dossier whose citizen asked for the result by post
    dossiers, carrier = returned("postal"), CountingCarrier()
    delivery = Delivery(dossiers, FakeNotifier(), carrier, "https://portal.test", Clock())
    # when the event arrives twice
    delivery.deliver(result_returned())
    delivery.deliver(result_returned())
    # then one shipment was booked, and the DELIVERY part names it
    assert carrier.booked == [("000.00.01.H60-261126-0001", ADDRESS)]
    part = dossiers.load("d1").delivery
    assert part is not None and part.method == "postal"
    assert part.get("tracking_number", "").startswith("EA") and part.get("address") == ADDRESS
    assert delivered_events(dossiers)[0]["data"]["tracking_number"] == part.get("tracking_number")


def test_the_applicant_and_the_delivery_choice_are_read_from_the_content_part():
    # given a dossier whose declared content lives in its CONTENT part, not on META
    dossiers = returned("online")
    meta = dossiers.get(keys.dossier("d1"))
    dossiers.put({k: v for k, v in meta.items() if k not in ("applicant", "delivery")})
    dossiers.put(
        {
            **keys.dossier_part("d1", keys.CONTENT),
            "applicant": {"full_name": "Trần Thị B", "email": "b@example.vn", "address": "Số 9 Hùng Vương"},
            "delivery": {"method": "postal"},
        }
    )
    notifier, carrier = FakeNotifier(), CountingCarrier()
    # when the result is delivered
    answer = Delivery(dossiers, notifier, carrier, "https://portal.test", Clock()).deliver(result_returned())
    # then the citizen's own choice, address and email are used
    assert answer == {"method": "postal", "notices": ["email"]}
    assert carrier.booked == [("000.00.01.H60-261126-0001", "Số 9 Hùng Vương")]
    assert notifier.emails[0][0] == "b@example.vn" and "Mã vận đơn: EA" in notifier.emails[0][2]


def test_a_result_collected_at_the_counter_names_the_agency():
    dossiers, notifier = returned("in_person"), FakeNotifier()
    Delivery(dossiers, notifier, CountingCarrier(), "https://portal.test", Clock()).deliver(result_returned())
    part = dossiers.load("d1").delivery
    assert part is not None and part.get("place") == "Bộ phận tiếp nhận và trả kết quả - UBND Phường 6"
    assert "UBND Phường 6" in notifier.emails[0][2]


class ClaimedRightAfterTheRead(InMemoryDossierRepository):
    """Another delivery of the same event claims the email notice just after this one read the dossier."""

    def load(self, dossier_id: str, whole: bool = True) -> DossierRecord | None:
        record = super().load(dossier_id, whole)
        self.put({**keys.dossier_part(dossier_id, "NOTICE#email"), "state": "sending"})
        return record


def test_a_notice_another_delivery_is_sending_is_not_sent_again():
    # given another delivery of the same event that claims the email notice while this one runs
    dossiers, notifier = returned("online", ClaimedRightAfterTheRead), FakeNotifier()
    delivery = Delivery(dossiers, notifier, CountingCarrier(), "https://portal.test", Clock())
    # when this one delivers
    answer = delivery.deliver(result_returned())
    # then only the text message goes out from here
    assert answer["notices"] == ["sms"] and notifier.emails == []
