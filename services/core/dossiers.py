"""The dossier's shared vocabulary: statuses with the Vietnamese labels officials know, payment states."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"
    IN_PROCESS = "IN_PROCESS"
    SUPPLEMENT_REQUESTED = "SUPPLEMENT_REQUESTED"
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"
    WITHDRAWN = "WITHDRAWN"
    STOPPED = "STOPPED"
    PROCESSED = "PROCESSED"
    RESULT_RETURNED = "RESULT_RETURNED"


STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: "Nháp",
    Status.SUBMITTED: "Mới đăng ký",
    Status.ACCEPTED: "Được tiếp nhận",
    Status.REFUSED: "Không được tiếp nhận",
    Status.IN_PROCESS: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    Status.PAYMENT_REQUIRED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.PROCESSED: "Đã xử lý xong",
    Status.RESULT_RETURNED: "Đã trả kết quả",
}

# No official acts on these any more; they leave the active inbox.
FINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RESULT_RETURNED})
# A citizen may still withdraw before a decision is made.
WITHDRAWABLE = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.IN_PROCESS,
        Status.SUPPLEMENT_REQUESTED,
        Status.PAYMENT_REQUIRED,
    }
)


class PaymentStatus(StrEnum):
    NOT_REQUIRED = "NOT_REQUIRED"
    PENDING = "PENDING"
    PAID = "PAID"
    REFUNDED = "REFUNDED"


class FileStatus(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


def label(status: str) -> str:
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status


def dossier_code(agency: str, yymmdd: str, sequence: int) -> str:
    """National practice: `{agency code}-{yymmdd}-{4-digit daily sequence}`."""
    return f"{agency}-{yymmdd}-{sequence:04d}"
