"""Answers of the catalogue API (API.md), as pydantic models so the OpenAPI documents them."""

from __future__ import annotations

from pydantic import BaseModel

from services.core.procedures import ProcedureSummary


class ProcedureList(BaseModel):
    items: list[ProcedureSummary]
    total: int
    next_cursor: str | None


class FieldCount(BaseModel):
    code: str
    name: str
    count: int


class AgencyCount(BaseModel):
    code: str
    name: str
    tier: str
    count: int


class TierCount(BaseModel):
    code: str
    count: int


class Facets(BaseModel):
    levels: dict[str, int]
    total: int
    fields: list[FieldCount]
    agencies: list[AgencyCount]
    tiers: list[TierCount]


class Rejected(BaseModel):
    code: str
    detail: str


class ImportAnswer(BaseModel):
    imported: int
    updated: int
    rejected: list[Rejected]
