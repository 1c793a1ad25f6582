"""The postal carrier (VNPost's public-administration service, Bưu chính công ích) behind an interface.

A real carrier is plugged in by configuration; the local adapter issues tracking numbers the way the
carrier's do (two letters, nine digits, VN) and keeps the shipment in the table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str


class PostalCarrier(Protocol):
    def ship(self, dossier_code: str, address: str) -> Shipment: ...


class LocalCarrier:
    """Deterministic per dossier, so a redelivered event books nothing new."""

    def ship(self, dossier_code: str, address: str) -> Shipment:
        digits = int(hashlib.sha256(dossier_code.encode()).hexdigest(), 16) % 10**9
        return Shipment("VNPost", f"EA{digits:09d}VN")
