"""The administrative structure as tracking reads it: the agencies to forward to, how many partitions
each inbox is spread over, and which agencies oversee the province."""

from __future__ import annotations

from typing import Any

from services.core.errors import ValidationFailed
from services.tracking.logic.ports import Structure


class Agencies:
    def __init__(self, structure: Structure):
        self.structure = structure
        self._shards_of: dict[str, int] | None = None
        self._shards_for: dict[str, Any] | None = None

    def listing(self) -> list[dict[str, Any]]:
        """Every agency as the console lists it (the forward dialog)."""
        return [
            {k: a.get(k) for k in ("code", "name", "tier", "parent")}
            for a in self.structure().get("agencies", [])
        ]

    def by_code(self) -> dict[str, dict[str, Any]]:
        return {a["code"]: a for a in self.structure().get("agencies", [])}

    def overseers(self) -> list[str]:
        """The agencies overseeing the province (its People's Committee office), the first one first."""
        return list(self.structure().get("oversight", []))

    def name(self, code: str) -> str:
        """The name of an agency a dossier is forwarded to; it must be one of the structure's."""
        agencies = self.by_code()
        if code not in agencies:
            raise ValidationFailed(
                "Cơ quan nhận không có trong cơ cấu hành chính.",
                errors=[{"field": "to_agency", "message": "Mã cơ quan không hợp lệ."}],
            )
        return str(agencies[code]["name"])

    def shards(self, agency: str) -> int:
        """How many partitions an agency's inbox is spread over (its structure entry; 1 by default)."""
        structure = self.structure()
        if self._shards_of is None or self._shards_for is not structure:
            self._shards_for = structure
            self._shards_of = {
                a["code"]: max(1, int(a.get("inbox_shards", 1))) for a in structure.get("agencies", [])
            }
        return self._shards_of.get(agency, 1)
