"""The procedure (thủ tục hành chính) as every service reads it.

The catalogue writes procedures; submission, tracking and payment read one with a single GetItem
(`services.core.dal.procedures.get_procedure`) for its components, online form, fee and agency.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from services.core import keys


class FeeTiming(StrEnum):
    BEFORE_PROCESSING = "before_processing"
    ON_RESULT = "on_result"
    NONE = "none"


# How a dossier is submitted (cách thức thực hiện) and how its result comes back (hình thức nhận kết
# quả): the same three ways, chosen apart. No docstrings: they would become the OpenAPI descriptions.
class Channel(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    POSTAL = "postal"


class DeliveryMethod(StrEnum):
    ONLINE = "online"
    POSTAL = "postal"
    IN_PERSON = "in_person"


class Named(BaseModel):
    code: str
    name: str


class Fee(BaseModel):
    name: str
    amount_vnd: int = Field(ge=0)


class Method(BaseModel):
    channel: Channel
    processing_days: float = Field(ge=0)
    description: str = ""
    fees: list[Fee] = Field(default_factory=list)


class Component(BaseModel):
    id: str
    name: str
    originals: int = Field(ge=0, default=1)
    copies: int = Field(ge=0, default=0)
    required: bool = True
    form_id: str | None = None


class FormTemplate(BaseModel):
    id: str
    name: str
    file_name: str
    content_type: str


class LegalDocument(BaseModel):
    number: str
    name: str
    issued_on: str = ""
    issuer: str = ""


class ProcedureSummary(BaseModel):
    code: str
    name: str
    level: int = Field(ge=1, le=4)
    field: Named
    agency: Named
    tier: str
    processing_days: float
    fee_vnd: int


class Procedure(ProcedureSummary):
    steps: list[str] = Field(default_factory=list)
    methods: list[Method] = Field(default_factory=list)
    components: list[Component] = Field(default_factory=list)
    forms: list[FormTemplate] = Field(default_factory=list)
    fees: list[Fee] = Field(default_factory=list)
    fee_timing: FeeTiming = FeeTiming.NONE
    subjects: list[str] = Field(default_factory=list)
    result: list[str] = Field(default_factory=list)
    legal_basis: list[LegalDocument] = Field(default_factory=list)
    conditions: str = ""
    form_schema: dict[str, Any] | None = None
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    address: str = Field("", description="where the dossier is submitted in person (địa chỉ tiếp nhận)")
    delivery_methods: list[DeliveryMethod] = Field(default_factory=list)

    @property
    def online(self) -> bool:
        return self.level >= 3

    @property
    def fee_before_processing(self) -> bool:
        return self.level == 4 and self.fee_timing == FeeTiming.BEFORE_PROCESSING and self.fee_vnd > 0

    def summary(self) -> ProcedureSummary:
        return ProcedureSummary.model_validate(self.model_dump(include=set(ProcedureSummary.model_fields)))


def delivery_methods_for(level: int) -> list[DeliveryMethod]:
    """Level 3: the result is collected in person; level 4 also online and by post (API.md)."""
    if level >= 4:
        return [DeliveryMethod.ONLINE, DeliveryMethod.POSTAL, DeliveryMethod.IN_PERSON]
    if level == 3:
        return [DeliveryMethod.IN_PERSON]
    return []


def procedure_item(procedure: Procedure) -> dict[str, Any]:
    """The table item of a procedure: the record as one JSON document, plus the listing keys."""
    return {
        **keys.procedure(procedure.code),
        **keys.procedure_listing(procedure.code),
        "level": procedure.level,
        "agency": procedure.agency.code,
        "doc": procedure.model_dump_json(),
        "listing": json.dumps(listing_record(procedure), ensure_ascii=False),
    }


def listing_record(procedure: Procedure) -> dict[str, Any]:
    """What the search index needs of a procedure: its summary and the words it is found by."""
    return {
        **procedure.summary().model_dump(mode="json"),
        "keywords": procedure.keywords,
        "description": procedure.description[:500],
    }


def procedure_from_item(item: dict[str, Any]) -> Procedure:
    return Procedure.model_validate(
        json.loads(item["doc"]["S"] if isinstance(item["doc"], dict) else item["doc"])
    )
