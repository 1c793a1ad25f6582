"""Factories for domain objects and real documents used across tests."""

from __future__ import annotations

import copy
import hashlib
import json
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).parent / "events"


def pdf_bytes(text: str = "Giay to cong dan", pad_to: int = 0) -> bytes:
    """A small, valid one-page PDF."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>endobj\n"
    )
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    body += (
        b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream endobj\n"
    )
    if pad_to > len(body):
        body += b"%" + b"0" * (pad_to - len(body) - 20) + b"\n"
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    return bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + b"\xff\xd9"


def html_bytes() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def applicant(**overrides: Any) -> dict[str, Any]:
    return {
        "full_name": "Nguyễn Thị Lan",
        "id_number": "094190001234",
        "phone": "0912345678",
        "email": "lan.nguyen@example.vn",
        "address": "Số 12 Trần Hưng Đạo, Phường 6, TP Sóc Trăng",
        **overrides,
    }


def sqs_event(
    bodies: list[Any], arn: str = "arn:aws:sqs:ap-southeast-1:123456789012:queue"
) -> dict[str, Any]:
    template = json.loads((EVENTS / "sqs-message.json").read_text())
    records = []
    for body in bodies:
        record = copy.deepcopy(template)
        text = body if isinstance(body, str) else json.dumps(body)
        record.update(
            {
                "messageId": str(uuid.uuid4()),
                "body": text,
                "eventSourceARN": arn,
                "md5OfBody": hashlib.md5(text.encode()).hexdigest(),
            }
        )
        records.append(record)
    return {"Records": records}


def s3_created(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    from urllib.parse import quote_plus

    event = json.loads((EVENTS / "s3-object-created.json").read_text())
    record = event["Records"][0]
    record["s3"]["bucket"].update({"name": bucket, "arn": f"arn:aws:s3:::{bucket}"})
    record["s3"]["object"].update({"key": quote_plus(key), "size": size, "eTag": etag})
    return event
