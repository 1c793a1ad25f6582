"""The seed catalogue: exactly 1,801 procedures in the national TTHC package format.

The twenty real procedures of procedures_real.json come first; 1,781 synthetic ones, built from the
vocabulary of each field, follow, so that the levels number 1,092 (level 2), 525 (level 3) and 184
(level 4): Sóc Trăng's figures for the third quarter of 2019. Deterministic: the same package each run.

`python -m infra.seed.generate` prints the counts.
"""

from __future__ import annotations

import copy
import json
import random
import re
import time
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from infra.seed.vocabulary import COMPONENTS, LEGAL, OBJECTS, RESULTS, STEPS, SUBJECTS, VERBS
from services.core.text import strip_diacritics

HERE = Path(__file__).resolve().parent
TOTAL = 1801
LEVELS = {2: 1092, 3: 525, 4: 184}
TIER_NAMES = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}
# S objects that already start with what the authority does (they are names as they stand)
ACTIONS = (
    "chứng thực",
    "cập nhật",
    "đính chính",
    "thay đổi",
    "thanh toán",
    "bán",
    "cho thuê",
    "mua",
    "chuyển",
    "gia hạn",
    "thu hồi",
    "cung cấp",
    "hòa giải",
    "vận hành",
    "hỗ trợ",
    "tiếp nhận",
    "kiểm dịch",
    "xóa",
    "chỉnh sửa",
    "miễn",
    "xét tuyển",
    "thanh lý",
    "khôi phục",
    "giới thiệu",
    "di chuyển",
    "giám định",
    "tạm dừng",
    "ghi vào",
    "tiếp công dân",
    "xử lý",
    "trợ giúp",
)
DOCUMENTS = (
    "báo cáo",
    "thiết kế",
    "nhiệm vụ",
    "phương án",
    "dự án",
    "chủ trương",
    "quy trình",
    "kế hoạch",
    "hồ sơ",
    "nội dung",
    "quyết toán",
    "giá đất",
    "quy hoạch",
    "nội quy",
)
HONOURS = ("danh hiệu", "giấy khen", "bằng khen")


@cache
def _structure_text() -> str:
    return (HERE / "structure.json").read_text(encoding="utf-8")


def load_structure() -> dict[str, Any]:
    """The administrative structure (a fresh copy: callers may not share it)."""
    return dict(json.loads(_structure_text()))


@cache
def _real_text() -> str:
    return (HERE / "procedures_real.json").read_text(encoding="utf-8")


def real_procedures() -> list[dict[str, Any]]:
    return list(json.loads(_real_text()))


def base_names(field: str) -> list[tuple[str, str]]:
    """(kind, name) of every procedure this field's vocabulary makes."""
    names = []
    for kind, thing in OBJECTS[field]:
        if kind == "L":
            names += [(kind, verb.format(o=thing)) for verb in VERBS["L"]]
        else:
            names.append((kind, _phrase(kind, thing)))
    return names


def _phrase(kind: str, thing: str) -> str:
    lowered = thing.lower()
    if kind == "R":
        text = f"Đăng ký {thing}"
    elif kind == "S":
        text = thing if lowered.startswith(ACTIONS) else f"Giải quyết {thing}"
    elif lowered.startswith("việc "):
        rest = thing[5:]
        text = rest if rest.lower().startswith(("cho phép", "bổ nhiệm")) else f"Cho phép {rest}"
    elif lowered.startswith(HONOURS):
        text = f"Tặng {thing}"
    elif lowered.startswith("khen thưởng"):
        text = thing
    elif lowered.startswith(DOCUMENTS):
        text = f"Thẩm định, phê duyệt {thing}"
    else:
        text = f"Công nhận {thing}"
    return text[0].upper() + text[1:]


def slug(text: str, limit: int = 70) -> str:
    plain = re.sub(r"[^A-Za-z0-9]+", "-", strip_diacritics(text)).strip("-")
    return plain[:limit].rstrip("-")


class _Builder:
    def __init__(self, structure: dict[str, Any], taken_names: set[str], taken_codes: set[str]):
        self.rng = random.Random(2019)
        self.fields = {f["code"]: f for f in structure["fields"]}
        self.tiers = {t["code"]: t for t in structure["tiers"]}
        self.agencies = structure["agencies"]
        self.by_tier: dict[str, list[dict[str, Any]]] = {}
        for agency in self.agencies:
            self.by_tier.setdefault(agency["tier"], []).append(agency)
        self.taken_names = set(taken_names)
        self.taken_codes = set(taken_codes)
        self.templates: set[str] = set()
        # every (field, tier, name) the vocabulary allows, shuffled once
        self.pool: list[tuple[str, str, str, str]] = []
        for code in sorted(OBJECTS):
            field = self.fields[code]
            for kind, name in base_names(code):
                for tier in field["tiers"]:
                    self.pool.append((code, tier, kind, name))
        self.rng.shuffle(self.pool)

    def _name(self, field: str, tier: str, name: str) -> str:
        if name not in self.taken_names:
            return name
        return f"{name} ({TIER_NAMES[tier]})"

    def _agency(self, field: dict[str, Any], tier: str, fixed: dict[str, Any] | None) -> dict[str, Any]:
        if fixed is not None:
            return fixed
        if tier == "province" and field.get("agency_hint"):
            return next(a for a in self.agencies if a["code"] == field["agency_hint"])
        return self.rng.choice(self.by_tier[tier])

    def _code(self) -> str:
        while True:
            code = f"{self.rng.choice('1233')}.{self.rng.randint(1000, 12999):06d}.000.00.00.H53"
            if code not in self.taken_codes:
                self.taken_codes.add(code)
                return code

    def take(self, level: int, agency: dict[str, Any] | None = None) -> dict[str, Any]:
        for index, (field_code, tier, kind, base) in enumerate(self.pool):
            if agency is not None and tier != agency["tier"]:
                continue
            name = self._name(field_code, tier, base)
            if name in self.taken_names:
                continue
            del self.pool[index]
            self.taken_names.add(name)
            return self.record(field_code, tier, kind, name, level, agency)
        raise RuntimeError("the vocabulary ran out of procedure names")

    def record(
        self, field_code: str, tier: str, kind: str, name: str, level: int, agency: dict[str, Any] | None
    ) -> dict[str, Any]:
        rng = self.rng
        field = self.fields[field_code]
        chosen = self._agency(field, tier, agency)
        days = rng.choice((0.5, 1, 2, 3, 3, 5, 5, 7, 10, 10, 12, 15, 15, 20, 30))
        fee = (
            0
            if rng.random() < 0.5
            else rng.choice(
                (
                    10_000,
                    20_000,
                    50_000,
                    100_000,
                    150_000,
                    200_000,
                    300_000,
                    500_000,
                    1_000_000,
                    2_000_000,
                    5_000_000,
                )
            )
        )
        if level == 4 and fee:
            timing = "before_processing" if rng.random() < 0.5 else "on_result"
        else:
            timing = "on_result" if fee else "none"
        subject = rng.sample(SUBJECTS, rng.randint(1, 2))
        form_name = f"Đơn đề nghị {name[0].lower()}{name[1:]}"
        with_template = level == 2 or rng.random() < 0.6
        template = ""
        if with_template:
            template = f"{slug(form_name)}.docx"
            if template in self.templates:
                template = f"{slug(form_name, 60)}-{len(self.templates)}.docx"
            self.templates.add(template)
        papers = [
            {
                "MAGIAYTO": "GT1",
                "TENGIAYTO": f"{form_name} (theo mẫu)",
                "SOBANCHINH": "1",
                "SOBANSAO": "0",
                "TENMAUDON": template,
                "URL": "",
                "BATBUOC": "1",
            }
        ]
        for n, (paper, originals, copies, required) in enumerate(
            rng.sample(COMPONENTS, rng.randint(0, 5)), start=2
        ):
            papers.append(
                {
                    "MAGIAYTO": f"GT{n}",
                    "TENGIAYTO": paper,
                    "SOBANCHINH": str(originals),
                    "SOBANSAO": str(copies),
                    "TENMAUDON": "",
                    "URL": "",
                    "BATBUOC": "1" if required else "0",
                }
            )
        channels = ["1"] + (["2"] if level >= 3 else []) + (["3"] if rng.random() < 0.6 else [])
        fee_item = {
            "MAPHILEPHI": "LP" if fee else "MIEN",
            "SOTIEN": str(fee),
            "DONVI": "Đồng",
            "MOTA": "Lệ phí" if fee else "Không thu phí, lệ phí",
        }
        legal = LEGAL[field_code]
        thing = name.split(" ", 1)[1] if " " in name else name
        result = RESULTS[kind].format(
            o=thing[0].upper() + thing[1:], lo=thing, lv=name.split(" ", 1)[0].lower()
        )
        tier_info = self.tiers[tier]
        record = {
            "ID": f"seed-{self.rng.randint(10**7, 10**8 - 1)}",
            "MaTTHC": self._code(),
            "TENTTHC": name,
            "LOAITTHC": "1",
            "TRANGTHAI": "1",
            "MUCDO": str(level),
            "THOIDIEMTHUPHI": timing,
            "TUKHOA": ", ".join(dict.fromkeys([field["name"].lower(), thing.split(",")[0][:60].lower()])),
            "MOTA": f"Thủ tục {name[0].lower()}{name[1:]} thuộc lĩnh vực {field['name'].lower()}.",
            "CAPTHUCHIEN": [{"CAPTHUCHIEN": tier_info["national_code"], "TENCAP": tier_info["name"]}],
            "LINHVUCTHUCHIEN": [{"MALINHVUC": field_code, "TENLINHVUC": field["name"]}],
            "TRINHTUTHUCHIEN": [
                {"TRUONGHOP": "", "TRINHTU": [{"TENTRINHTU": s} for s in STEPS[: rng.randint(2, len(STEPS))]]}
            ],
            "CACHTHUCTHUCHIEN": [
                {
                    "KENH": c,
                    "THOIGIAN": [
                        {
                            "THOIGIANGIAIQUYET": str(days),
                            "DONVITINH": "Ngày làm việc",
                            "MOTA": "",
                            "PHILEPHI": [fee_item],
                        }
                    ],
                }
                for c in channels
            ],
            "THANHPHANHOSO": [{"TRUONGHOP": "", "GIAYTO": papers}],
            "DOITUONGTHUCHIEN": [{"MADOITUONG": c, "TENDOITUONG": n} for c, n in subject],
            "KETQUATHUCHIEN": [{"MAKETQUA": "KQ1", "TENKETQUA": result, "TENTEP": "", "URL": ""}],
            "CANCUPHAPLY": [
                {
                    "SOVANBAN": number,
                    "TENVANBAN": title,
                    "NGAYBANHANH": day,
                    "NGAYHIEULUC": "",
                    "COQUANBANHANH": issuer,
                    "DIACHITRUYCAP": "",
                }
                for number, title, day, issuer in legal
            ],
            "YEUCAU": "Không"
            if rng.random() < 0.6
            else "Tổ chức, cá nhân đáp ứng đầy đủ điều kiện theo quy định của pháp luật chuyên ngành.",
            "DIACHITIEPNHAN": f"Bộ phận tiếp nhận và trả kết quả - {chosen['name']}, {chosen.get('address', '')}",
            "COQUANTHUCHIEN": [{"MADONVI": chosen["code"], "TENDONVI": chosen["name"]}],
        }
        if level >= 3:
            record["BIEUMAUTRUCTUYEN"] = online_form(name, field["name"])
        return record


def online_form(name: str, field: str) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": f"Tờ khai trực tuyến: {name}",
        "properties": {
            "noi_dung_de_nghi": {
                "type": "string",
                "title": "Nội dung đề nghị",
                "minLength": 5,
                "maxLength": 2000,
                "description": f"Nêu rõ đề nghị thuộc lĩnh vực {field.lower()}.",
            },
            "thong_tin_lien_quan": {
                "type": "object",
                "title": "Thông tin liên quan",
                "properties": {
                    "ten_co_so": {"type": "string", "title": "Tên tổ chức, cơ sở (nếu có)", "maxLength": 200},
                    "dia_chi": {
                        "type": "string",
                        "title": "Địa chỉ thực hiện",
                        "minLength": 5,
                        "maxLength": 300,
                    },
                    "ngay_de_nghi": {
                        "type": "string",
                        "format": "date",
                        "title": "Ngày đề nghị có hiệu lực",
                        "maxLength": 10,
                    },
                },
                "required": ["dia_chi"],
                "additionalProperties": False,
            },
            "hinh_thuc": {
                "type": "string",
                "title": "Hình thức đề nghị",
                "enum": ["moi", "lai", "dieu_chinh"],
                "x-enum-labels": ["Đề nghị lần đầu", "Đề nghị lại", "Đề nghị điều chỉnh"],
            },
            "cam_ket": {"type": "boolean", "title": "Tôi cam đoan những thông tin kê khai là đúng sự thật"},
        },
        "required": ["noi_dung_de_nghi", "thong_tin_lien_quan", "cam_ket"],
        "additionalProperties": False,
    }


def build_package() -> list[dict[str, Any]]:
    """The 1,801 records: the real twenty first, then the synthetic ones."""
    structure = load_structure()
    real = real_procedures()
    remaining = dict(LEVELS)
    for record in real:
        remaining[int(record["MUCDO"])] -= 1
    builder = _Builder(structure, {r["TENTTHC"] for r in real}, {r["MaTTHC"] for r in real})
    levels = [level for level, count in sorted(remaining.items()) for _ in range(count)]
    builder.rng.shuffle(levels)
    used = {r["COQUANTHUCHIEN"][0]["MADONVI"] for r in real}
    synthetic = []
    # every agency offers at least one procedure
    for agency in structure["agencies"]:
        if agency["code"] not in used:
            synthetic.append(builder.take(levels.pop(), agency))
            used.add(agency["code"])
    while levels:
        synthetic.append(builder.take(levels.pop()))
    return [*copy.deepcopy(real), *synthetic]


def main() -> None:
    started = time.perf_counter()
    package = build_package()
    took = time.perf_counter() - started
    tiers = {t["national_code"]: t["code"] for t in load_structure()["tiers"]}
    templates = {
        g["TENMAUDON"] for r in package for c in r["THANHPHANHOSO"] for g in c["GIAYTO"] if g["TENMAUDON"]
    }
    print(f"{len(package)} procedures in {took:.2f} s")
    print("by level:", dict(sorted(Counter(r["MUCDO"] for r in package).items())))
    print("by tier:", dict(Counter(tiers[r["CAPTHUCHIEN"][0]["CAPTHUCHIEN"]] for r in package)))
    print("by fee timing:", dict(Counter(r.get("THOIDIEMTHUPHI") for r in package)))
    print("form templates:", len(templates))


if __name__ == "__main__":
    main()
