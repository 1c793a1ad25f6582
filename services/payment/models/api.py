"""What citizens, gateways and officials send to and get from `/api/payment` (API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CreatePayment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dossier_id: str = Field(min_length=1, max_length=64)


class Payment(BaseModel):
    payment_id: str
    txn_ref: str
    amount_vnd: int
    status: Literal["PENDING", "PAID", "FAILED", "CANCELLED", "REFUNDED"]
    dossier_id: str
    expires_at: datetime
    pay_url: str | None = Field(default=None, description="trang thanh toán của cổng (khi vừa tạo)")


class IpnAnswer(BaseModel):
    RspCode: str
    Message: str


class Mismatch(BaseModel):
    txn_ref: str
    dossier_code: str
    amount_vnd: int
    ours: str
    gateway: str


class Report(BaseModel):
    day: str
    checked: int
    mismatches: list[Mismatch]
    generated_at: datetime


class ResultLink(BaseModel):
    url: str = Field(description="liên kết tải văn bản kết quả, có thời hạn ngắn")
    expires_in: int = Field(description="số giây liên kết còn dùng được")
