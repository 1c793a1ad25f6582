"""Result delivery: the way the citizen chose, then a notice by email and text message.

Online: the result document becomes downloadable with the dossier's token for a short-lived link.
By post: a shipment is booked with the carrier. At the counter: the citizen is invited to come.
Each case is recorded once (a DELIVERY item) and each notice is sent once per channel, so a
redelivered event sends nothing twice. Notices carry the dossier code and no personal data.
"""

from __future__ import annotations

from typing import Any

from services.core import keys
from services.core.clock import iso, now
from services.core.events import Event, EventType
from services.core.observability import logger
from services.payment.dal.notify import Notifier
from services.payment.dal.store import PaymentStore
from services.payment.logic.postal import PostalCarrier


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


class Delivery:
    def __init__(self, store: PaymentStore, notifier: Notifier, carrier: PostalCarrier, portal_url: str):
        self.store = store
        self.notifier = notifier
        self.carrier = carrier
        self.portal_url = portal_url

    def deliver(self, event: Event) -> dict[str, Any]:
        items = self.store.partition(event.dossier_id)  # the dossier, its result, delivery and notices
        meta = items.get("META")
        if meta is None:
            return {"skipped": "no dossier"}
        method = event.data.get("delivery_method") or (meta.get("delivery") or {}).get("method", "in_person")
        result = items.get(f"RESULT#{event.data.get('result_file_id')}")
        details = self._make_available(meta, method, result, event, items.get("DELIVERY"))
        sent = self._notify(meta, method, details, items)
        return {"method": method, "notices": sent}

    def _make_available(
        self,
        meta: dict[str, Any],
        method: str,
        result: dict[str, Any] | None,
        event: Event,
        existing: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if existing is not None:
            return existing  # delivered before: the same details, nothing booked twice
        item: dict[str, Any] = {
            **keys.dossier_part(meta["id"], "DELIVERY"),
            "method": method,
            "code": meta["code"],
            "delivered_at": iso(now()),
            "event_id": event.id,
        }
        if method == "online" and result is not None:
            item.update(
                {
                    "result_key": result["key"],
                    "file_name": result["file_name"],
                    "content_type": result["content_type"],
                }
            )
            # the version tracking froze when it returned the result: the only one ever served
            pinned = {
                "result_sha256": result.get("sha256") or event.data.get("result_sha256"),
                "result_version_id": result.get("version_id") or event.data.get("result_version_id"),
                "result_etag": result.get("etag"),
            }
            item.update({k: v for k, v in pinned.items() if v})
        elif method == "postal":
            address = (meta.get("delivery") or {}).get("address") or meta.get("applicant", {}).get(
                "address", ""
            )
            shipment = self.carrier.ship(meta["code"], address)
            item.update(
                {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number, "address": address}
            )
        else:
            item["place"] = (
                f"Bộ phận tiếp nhận và trả kết quả - {meta.get('current_agency_name') or meta['agency_name']}"
            )
        delivered = Event(
            type=EventType.RESULT_DELIVERED,
            dossier_id=meta["id"],
            data={"code": meta["code"], "method": method, "tracking_number": item.get("tracking_number")},
        )
        if not self.store.record_delivery(item, delivered):
            return self.store.part(meta["id"], "DELIVERY") or item
        logger.info("result delivered", extra={"dossier_code": meta["code"], "method": method})
        return item

    def _notify(
        self, meta: dict[str, Any], method: str, details: dict[str, Any], items: dict[str, dict[str, Any]]
    ) -> list[str]:
        applicant = meta.get("applicant", {})
        subject, body, text = notice(
            method, meta["code"], meta["procedure_name"], self.portal_url, meta["id"], details
        )
        sent = []
        channels = [("email", applicant.get("email")), ("sms", applicant.get("phone"))]
        for channel, address in channels:
            if not address:
                continue
            key = keys.dossier_part(meta["id"], f"NOTICE#{channel}")
            state = items.get(f"NOTICE#{channel}")
            if state is not None and state.get("state") == "sent":
                continue  # sent before
            if state is None and not self.store.claim(key, {"state": "sending", "at": iso(now())}):
                continue  # another delivery of the same event is sending it
            message_id = (
                self.notifier.email(address, subject, body)
                if channel == "email"
                else self.notifier.sms(international(address), text)
            )
            self.store.update(key, {"state": "sent", "message_id": message_id, "sent_at": iso(now())})
            sent.append(channel)
        return sent
