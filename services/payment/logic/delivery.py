"""Result delivery: the way the citizen chose, then a notice by email and text message.

Online: the result document becomes downloadable with the dossier's token for a short-lived link.
By post: a shipment is booked with the carrier. At the counter: the citizen is invited to come.
Each case is recorded once (a DELIVERY item) and each notice is sent once per channel, so a
redelivered event sends nothing twice. Notices carry the dossier code and no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from services.core import keys
from services.core.clock import iso, now
from services.core.dossier import DossierChange, DossierRecord, PartConflict, PartWrite, ResultFile
from services.core.events import Event, EventType
from services.core.observability import logger
from services.core.repository import DossierRepository
from services.payment.logic.ports import Clock
from services.payment.logic.postal import PostalCarrier


class Notifier(Protocol):
    """Email and text messages to the citizen; each returns the provider's message id."""

    def email(self, to: str, subject: str, body: str) -> str: ...

    def sms(self, phone: str, text: str) -> str: ...


def international(phone: str) -> str:
    return "+84" + phone[1:] if phone.startswith("0") else phone


def notice(
    method: str, code: str, procedure: str, portal: str, dossier_id: str, details: dict[str, Any]
) -> tuple[str, str, str]:
    """(email subject, email body, text message) in Vietnamese."""
    link = f"{portal.rstrip('/')}/ho-so.html#id={dossier_id}"
    subject = f"[Dịch vụ công] Hồ sơ {code} đã có kết quả"
    if method == "online":
        body = (
            f"Hồ sơ {code} ({procedure}) đã có kết quả.\n\nÔng/bà tải văn bản kết quả tại: {link}\n"
            "(dùng mã truy cập hồ sơ đã được cấp khi nộp hồ sơ)."
        )
        text = f"DVC: Ho so {code} da co ket qua. Tai ket qua tren Cong Dich vu cong."
    elif method == "postal":
        number = details["tracking_number"]
        body = (
            f"Kết quả hồ sơ {code} ({procedure}) đã được gửi qua dịch vụ bưu chính công ích.\n\n"
            f"Mã vận đơn: {number}. Theo dõi hồ sơ tại: {link}"
        )
        text = f"DVC: Ket qua ho so {code} da gui qua buu dien, ma van don {number}."
    else:
        place = details.get("place", "Bộ phận tiếp nhận và trả kết quả")
        body = (
            f"Kết quả hồ sơ {code} ({procedure}) đã sẵn sàng.\n\nMời ông/bà đến nhận tại {place} trong giờ "
            "hành chính, mang theo giấy tiếp nhận hồ sơ và giấy tờ tùy thân."
        )
        text = f"DVC: Ket qua ho so {code} da san sang. Moi ong/ba den nhan tai bo phan mot cua."
    return subject, body, text


@dataclass
class Delivery:
    dossiers: DossierRepository
    notifier: Notifier
    carrier: PostalCarrier
    portal_url: str
    clock: Clock = now

    def deliver(self, event: Event) -> dict[str, Any]:
        record = self.dossiers.load(event.dossier_id)  # with its results, delivery and notices
        if record is None:
            return {"skipped": "no dossier"}
        method = event.data.get("delivery_method") or record.delivery_choice.get("method", "in_person")
        result = record.result(str(event.data.get("result_file_id")))
        details = self._make_available(record, method, result, event)
        sent = self._notify(record, method, details)
        return {"method": method, "notices": sent}

    def _make_available(
        self, record: DossierRecord, method: str, result: ResultFile | None, event: Event
    ) -> dict[str, Any]:
        if record.delivery is not None:
            return record.delivery.raw()  # delivered before: the same details, nothing booked twice
        item = self._delivery(record, method, result, event)
        delivered = Event(
            type=EventType.RESULT_DELIVERED,
            dossier_id=record.id,
            data={
                "code": record.meta["code"],
                "method": method,
                "tracking_number": item.get("tracking_number"),
            },
        )
        try:
            self.dossiers.commit(
                DossierChange(
                    record.id,
                    touch_meta=False,
                    parts=[PartWrite(sk=keys.DELIVERY, item=item, must_be_new=True)],
                    events=[delivered],
                )
            )
        except PartConflict as err:
            if err.part != keys.DELIVERY:
                raise
            again = self.dossiers.load(record.id)  # another delivery of the same event recorded it first
            return again.delivery.raw() if again is not None and again.delivery is not None else item
        logger.info("result delivered", extra={"dossier_code": record.meta["code"], "method": method})
        return item

    def _delivery(
        self, record: DossierRecord, method: str, result: ResultFile | None, event: Event
    ) -> dict[str, Any]:
        """The DELIVERY part: how the result reaches the citizen (a shipment is booked here)."""
        meta = record.meta
        item: dict[str, Any] = {
            "method": method,
            "code": meta["code"],
            "delivered_at": iso(self.clock()),
            "event_id": event.id,
        }
        if method == "online" and result is not None:
            item.update(
                {"result_key": result.key, "file_name": result.file_name, "content_type": result.content_type}
            )
            # the version tracking froze when it returned the result: the only one ever served
            pinned = {
                "result_sha256": result.sha256 or event.data.get("result_sha256"),
                "result_version_id": result.get("version_id") or event.data.get("result_version_id"),
                "result_etag": result.get("etag"),
            }
            item.update({k: v for k, v in pinned.items() if v})
        elif method == "postal":
            address = record.delivery_choice.get("address") or record.applicant.get("address", "")
            shipment = self.carrier.ship(meta["code"], address)
            item.update(
                {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number, "address": address}
            )
        else:
            item["place"] = (
                f"Bộ phận tiếp nhận và trả kết quả - {meta.get('current_agency_name') or meta['agency_name']}"
            )
        return item

    def _notify(self, record: DossierRecord, method: str, details: dict[str, Any]) -> list[str]:
        meta, applicant = record.meta, record.applicant
        subject, body, text = notice(
            method, meta["code"], meta["procedure_name"], self.portal_url, record.id, details
        )
        sent = []
        for channel, address in (("email", applicant.get("email")), ("sms", applicant.get("phone"))):
            if not address:
                continue
            state = record.notices.get(channel)
            if state is not None and state.get("state") == "sent":
                continue  # sent before
            if state is None and not self._claim(record.id, channel):
                continue  # another delivery of the same event is sending it
            message_id = (
                self.notifier.email(address, subject, body)
                if channel == "email"
                else self.notifier.sms(international(address), text)
            )
            self._record_notice(
                record.id, channel, {"state": "sent", "message_id": message_id, "sent_at": iso(self.clock())}
            )
            sent.append(channel)
        return sent

    def _claim(self, dossier_id: str, channel: str) -> bool:
        """The channel's NOTICE part, written once: False if another delivery wrote it first."""
        try:
            self._record_notice(dossier_id, channel, {"state": "sending", "at": iso(self.clock())}, new=True)
        except PartConflict:
            return False
        return True

    def _record_notice(
        self, dossier_id: str, channel: str, fields: dict[str, Any], new: bool = False
    ) -> None:
        sk = f"{keys.NOTICE_PREFIX}{channel}"
        part = PartWrite(sk=sk, item=fields, must_be_new=True) if new else PartWrite(sk=sk, set=fields)
        self.dossiers.commit(DossierChange(dossier_id, touch_meta=False, parts=[part]))
