"""The national TTHC package format to our procedure model.

The national package carries no online service level; `MUCDO` ("1" to "4") is our extension and a
record without it is imported at level 2. Other extensions: `THOIDIEMTHUPHI` (fee timing),
`GIAYTO[].BATBUOC` ("0" optional) and `BIEUMAUTRUCTUYEN` (the online form's JSON Schema).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.core.form_schema import schema_problem
from services.core.procedures import (
    Channel,
    Component,
    Fee,
    FeeTiming,
    FormTemplate,
    LegalDocument,
    Method,
    Named,
    Procedure,
    delivery_methods_for,
)
from services.core.text import safe_file_name

CODE_PATTERN = re.compile(r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]{2,4})?$")
AGENCY_PATTERN = re.compile(r"^[0-9A-Za-z.\-]{3,40}$")
DEFAULT_LEVEL = 2
CHANNELS = {"1": Channel.IN_PERSON, "2": Channel.ONLINE, "3": Channel.POSTAL}
DEFAULT_TIERS = {"1": "province", "2": "district", "3": "commune"}
CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}

GENERIC_FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Nội dung đề nghị",
    "properties": {
        "noi_dung_de_nghi": {
            "type": "string",
            "title": "Nội dung đề nghị",
            "minLength": 1,
            "maxLength": 2000,
        },
        "ghi_chu": {"type": "string", "title": "Ghi chú", "maxLength": 1000},
    },
    "required": ["noi_dung_de_nghi"],
    "additionalProperties": False,
}


class RecordError(ValueError):
    """A record that cannot be imported; the message is the Vietnamese reason."""


@dataclass(frozen=True)
class Structure:
    """Administrative structure: which tiers exist (national code to ours), the known agencies with
    their names and parents, and the agencies overseeing the province."""

    tiers: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    agency_tiers: Mapping[str, str] = field(default_factory=dict)
    agency_names: Mapping[str, str] = field(default_factory=dict)
    parents: Mapping[str, str | None] = field(default_factory=dict)
    oversight: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> Structure:
        if not config:
            return cls()
        tiers = {str(t["national_code"]): str(t["code"]) for t in config.get("tiers", [])}
        agencies = config.get("agencies", [])
        return cls(
            tiers=tiers or dict(DEFAULT_TIERS),
            agency_tiers={str(a["code"]): str(a["tier"]) for a in agencies},
            agency_names={str(a["code"]): str(a.get("name") or a["code"]) for a in agencies},
            parents={str(a["code"]): (str(a["parent"]) if a.get("parent") else None) for a in agencies},
            oversight=frozenset(str(code) for code in config.get("oversight", [])),
        )


def _text(record: Mapping[str, Any], key: str) -> str:
    raw = record.get(key)
    return raw.strip() if isinstance(raw, str) else ""


def _list(record: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    raw = record.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, Mapping) for x in raw):
        raise RecordError(f"Trường {key} phải là một danh sách các đối tượng.")
    return raw


def _int(value: Any, what: str) -> int:
    text = str(value if value is not None else "0").strip().replace(".", "").replace(",", "") or "0"
    if not text.isdigit():
        raise RecordError(f"{what} phải là số nguyên không âm (nhận được {value!r}).")
    return int(text)


def _days(value: Any, unit: str) -> float:
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        amount = float(text)
    except ValueError as err:
        raise RecordError(f"Thời hạn giải quyết không phải là số ({value!r}).") from err
    if amount < 0 or amount > 3650:
        raise RecordError("Thời hạn giải quyết nằm ngoài khoảng cho phép.")
    unit_folded = unit.lower()
    if "giờ" in unit_folded:
        return round(amount / 8, 3)
    if "tháng" in unit_folded:
        return amount * 22
    return amount


def _methods(record: Mapping[str, Any]) -> list[Method]:
    methods = []
    for way in _list(record, "CACHTHUCTHUCHIEN"):
        channel = CHANNELS.get(str(way.get("KENH", "")).strip())
        if channel is None:
            raise RecordError(f"Kênh thực hiện không hợp lệ: {way.get('KENH')!r} (chỉ nhận 1, 2 hoặc 3).")
        times = _list(way, "THOIGIAN")
        if not times:
            raise RecordError("Thiếu thời hạn giải quyết (THOIGIAN).")
        first = times[0]
        fees = [
            Fee(
                name=_text(f, "MOTA") or _text(f, "MAPHILEPHI") or "Lệ phí",
                amount_vnd=_int(f.get("SOTIEN"), "Số tiền phí, lệ phí"),
            )
            for f in _list(first, "PHILEPHI")
        ]
        methods.append(
            Method(
                channel=channel,
                processing_days=_days(first.get("THOIGIANGIAIQUYET"), _text(first, "DONVITINH")),
                description=_text(first, "MOTA"),
                fees=fees,
            )
        )
    if not methods:
        raise RecordError("Thiếu cách thức thực hiện (CACHTHUCTHUCHIEN).")
    return methods


def _components(record: Mapping[str, Any]) -> tuple[list[Component], list[FormTemplate]]:
    components: list[Component] = []
    forms: list[FormTemplate] = []
    seen: set[str] = set()
    for case in _list(record, "THANHPHANHOSO"):
        for paper in _list(case, "GIAYTO"):
            name = _text(paper, "TENGIAYTO")
            if not name:
                raise RecordError("Thành phần hồ sơ thiếu tên giấy tờ (TENGIAYTO).")
            ident = re.sub(r"[^A-Za-z0-9_-]", "", _text(paper, "MAGIAYTO"))[:40] or f"TP{len(components) + 1}"
            if ident in seen:
                continue
            seen.add(ident)
            template = _text(paper, "TENMAUDON")
            form_id = None
            if template:
                file_name = safe_file_name(template)
                ext = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
                form_id = ident
                forms.append(
                    FormTemplate(
                        id=ident,
                        name=name,
                        file_name=file_name,
                        content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
                    )
                )
            components.append(
                Component(
                    id=ident,
                    name=name,
                    originals=_int(paper.get("SOBANCHINH"), "Số bản chính"),
                    copies=_int(paper.get("SOBANSAO"), "Số bản sao"),
                    required=str(paper.get("BATBUOC", "1")).strip() != "0",
                    form_id=form_id,
                )
            )
    return components, forms


def _fee_timing(record: Mapping[str, Any], level: int, fee_vnd: int) -> FeeTiming:
    raw = _text(record, "THOIDIEMTHUPHI")
    if fee_vnd == 0:
        return FeeTiming.NONE
    if raw:
        try:
            timing = FeeTiming(raw)
        except ValueError as err:
            raise RecordError(f"Thời điểm thu phí không hợp lệ: {raw!r}.") from err
    else:
        timing = FeeTiming.BEFORE_PROCESSING if level == 4 else FeeTiming.ON_RESULT
    if timing == FeeTiming.BEFORE_PROCESSING and level < 4:
        return FeeTiming.ON_RESULT  # only level 4 takes fees online
    return timing if timing != FeeTiming.NONE else FeeTiming.ON_RESULT


def _form_schema(record: Mapping[str, Any], level: int) -> dict[str, Any] | None:
    if level < 3:
        return None
    schema = record.get("BIEUMAUTRUCTUYEN")
    if schema is None:
        return GENERIC_FORM_SCHEMA
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise RecordError("Biểu mẫu trực tuyến (BIEUMAUTRUCTUYEN) phải là một JSON Schema kiểu object.")
    # only local references, linear-time patterns, at most 64 KiB (docs/catalog-import.md)
    problem = schema_problem(schema)
    if problem:
        raise RecordError(f"Biểu mẫu trực tuyến (BIEUMAUTRUCTUYEN) bị từ chối: {problem}")
    return schema


def to_procedure(record: Mapping[str, Any], structure: Structure) -> Procedure:
    """One national record to a procedure, or RecordError with the reason in Vietnamese.

    The parts are checked in a fixed order: a record with several faults is refused for the first."""
    code, name, level = _identity(record)
    field_, agency = _field_and_agency(record)
    tier = _tier(record, agency.code, structure)
    methods = _methods(record)
    # the summary's time and fees are those of applying online, where the procedure can be
    preferred = next((m for m in methods if m.channel == Channel.ONLINE), methods[0])
    fee_vnd = sum(f.amount_vnd for f in preferred.fees)
    components, forms = _components(record)
    if level >= 3 and not components:
        raise RecordError("Thủ tục mức độ 3, 4 phải có thành phần hồ sơ (THANHPHANHOSO).")
    return Procedure(
        # what it is, and the words it is found by
        code=code,
        name=name,
        level=level,
        description=_text(record, "MOTA"),
        keywords=[k.strip() for k in _text(record, "TUKHOA").split(",") if k.strip()],
        # where it is handled
        field=field_,
        agency=agency,
        tier=tier,
        address=_text(record, "DIACHITIEPNHAN"),
        # how it is done: from here steps, fee timing, the lists and the form may still refuse the record
        processing_days=preferred.processing_days,
        fee_vnd=fee_vnd,
        steps=_steps(record),
        methods=methods,
        components=components,
        forms=forms,
        fees=preferred.fees,
        fee_timing=_fee_timing(record, level, fee_vnd),
        subjects=_names(record, "DOITUONGTHUCHIEN", "TENDOITUONG"),
        result=_names(record, "KETQUATHUCHIEN", "TENKETQUA"),
        legal_basis=_legal_basis(record),
        conditions=_conditions(record),
        form_schema=_form_schema(record, level),
        delivery_methods=delivery_methods_for(level),
    )


def _identity(record: Mapping[str, Any]) -> tuple[str, str, int]:
    """The record's national code, its name and its online service level."""
    if not isinstance(record, Mapping):
        raise RecordError("Mỗi thủ tục phải là một đối tượng JSON.")
    code = _text(record, "MaTTHC")
    if not CODE_PATTERN.match(code):
        raise RecordError(
            f"Mã thủ tục {code!r} không đúng định dạng quốc gia (ví dụ 1.001234.000.00.00.H53)."
        )
    name = _text(record, "TENTTHC")
    if not name or len(name) > 500:
        raise RecordError("Tên thủ tục (TENTTHC) bị trống hoặc quá dài.")
    level_text = _text(record, "MUCDO") or str(DEFAULT_LEVEL)
    if level_text not in {"1", "2", "3", "4"}:
        raise RecordError(f"Mức độ dịch vụ (MUCDO) phải từ 1 đến 4 (nhận được {level_text!r}).")
    return code, name, int(level_text)


def _field_and_agency(record: Mapping[str, Any]) -> tuple[Named, Named]:
    """The procedure's field (lĩnh vực) and the agency that handles it: the first of each list."""
    fields = _list(record, "LINHVUCTHUCHIEN")
    agencies = _list(record, "COQUANTHUCHIEN")
    if not fields or not _text(fields[0], "MALINHVUC") or not _text(fields[0], "TENLINHVUC"):
        raise RecordError("Thiếu lĩnh vực thực hiện (LINHVUCTHUCHIEN).")
    if (
        not agencies
        or not AGENCY_PATTERN.match(_text(agencies[0], "MADONVI"))
        or not _text(agencies[0], "TENDONVI")
    ):
        raise RecordError("Thiếu hoặc sai cơ quan thực hiện (COQUANTHUCHIEN).")
    return (
        Named(code=_text(fields[0], "MALINHVUC"), name=_text(fields[0], "TENLINHVUC")),
        Named(code=_text(agencies[0], "MADONVI"), name=_text(agencies[0], "TENDONVI")),
    )


def _tier(record: Mapping[str, Any], agency: str, structure: Structure) -> str:
    """The agency's tier in the structure; for an agency it does not know, the record's CAPTHUCHIEN."""
    tier = structure.agency_tiers.get(agency)
    if tier is not None:
        return tier
    tiers = _list(record, "CAPTHUCHIEN")
    national = str(tiers[0].get("CAPTHUCHIEN", "")).strip() if tiers else ""
    tier = structure.tiers.get(national)
    if tier is None:
        raise RecordError(f"Cấp thực hiện (CAPTHUCHIEN) {national!r} không có trong cơ cấu hành chính.")
    return tier


def _names(record: Mapping[str, Any], key: str, name_key: str) -> list[str]:
    """The names given in a list of the record (subjects, results), the empty ones left out."""
    return [_text(entry, name_key) for entry in _list(record, key) if _text(entry, name_key)]


def _legal_basis(record: Mapping[str, Any]) -> list[LegalDocument]:
    return [
        LegalDocument(
            number=_text(d, "SOVANBAN"),
            name=_text(d, "TENVANBAN"),
            issued_on=_text(d, "NGAYBANHANH"),
            issuer=_text(d, "COQUANBANHANH"),
        )
        for d in _list(record, "CANCUPHAPLY")
        if _text(d, "SOVANBAN") or _text(d, "TENVANBAN")
    ]


def _conditions(record: Mapping[str, Any]) -> str:
    conditions = _text(record, "YEUCAU")
    # the national package writes "none" in words where a procedure has no conditions
    return "" if conditions.lower() in {"không", "khong", "không có"} else conditions


def _steps(record: Mapping[str, Any]) -> list[str]:
    steps = []
    for case in _list(record, "TRINHTUTHUCHIEN"):
        prefix = _text(case, "TRUONGHOP")
        for step in _list(case, "TRINHTU"):
            text = _text(step, "TENTRINHTU")
            if text:
                steps.append(f"{prefix}: {text}" if prefix else text)
    return steps


@dataclass
class ParsedPackage:
    procedures: list[Procedure]
    rejected: list[dict[str, str]]


def parse_package(records: Iterable[Any], structure: Structure) -> ParsedPackage:
    """Every record imported or rejected with its reason; a bad record never stops the others."""
    procedures: dict[str, Procedure] = {}
    rejected = []
    for index, record in enumerate(records):
        code = record.get("MaTTHC") if isinstance(record, Mapping) else None
        label = code if isinstance(code, str) and code else f"#{index + 1}"
        try:
            procedure = to_procedure(record, structure)
        except (RecordError, ValueError) as err:
            rejected.append({"code": label, "detail": _reason(err)})
            continue
        procedures[procedure.code] = procedure  # the last record of a code wins, as in the national sync
    return ParsedPackage(list(procedures.values()), rejected)


def _reason(err: Exception) -> str:
    if isinstance(err, RecordError):
        return str(err)
    # pydantic's ValidationError: keep it short and in Vietnamese
    return "Dữ liệu thủ tục không hợp lệ: " + str(err).splitlines()[0][:200]
