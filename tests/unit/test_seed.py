"""The seed catalogue: the province's figures, national formats, the twenty real procedures, templates."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from typing import Any
from xml.etree import ElementTree

import pytest
from jsonschema import Draft202012Validator

from infra.seed.generate import build_package, load_structure
from infra.seed.templates import form_templates, render_docx
from services.catalog.logic.tthc import Structure, parse_package
from tests.http.test_catalog_http import TWENTY


@pytest.fixture(scope="module")
def package() -> list[dict[str, Any]]:
    return build_package()


def _papers(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for case in record["THANHPHANHOSO"] for g in case["GIAYTO"]]


def test_the_catalogue_has_the_provinces_1801_procedures_by_level(package):
    # given / when
    levels = Counter(r["MUCDO"] for r in package)
    # then
    assert len(package) == 1801
    assert levels == {"2": 1092, "3": 525, "4": 184}


def test_codes_and_names_are_unique_and_in_the_national_format(package):
    codes = [r["MaTTHC"] for r in package]
    names = [r["TENTTHC"] for r in package]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert all(re.fullmatch(r"\d\.\d{6}\.000\.00\.00\.H53", c) for c in codes)


def test_every_agency_exists_with_the_tier_its_records_say_and_every_agency_and_tier_is_used(package):
    structure = load_structure()
    agencies = {a["code"]: a for a in structure["agencies"]}
    tiers = {t["national_code"]: t["code"] for t in structure["tiers"]}
    used = set()
    for record in package:
        agency = record["COQUANTHUCHIEN"][0]["MADONVI"]
        assert re.fullmatch(r"\d{3}\.\d{2}\.\d{2}\.H53", agency)
        assert agencies[agency]["tier"] == tiers[record["CAPTHUCHIEN"][0]["CAPTHUCHIEN"]], record["TENTTHC"]
        used.add(agency)
    assert used == set(agencies)
    assert {a["tier"] for a in agencies.values()} == {"province", "district", "commune"}


def test_the_twenty_real_procedures_are_complete(package):
    by_name = {r["TENTTHC"]: r for r in package}
    for name in TWENTY:
        record = by_name[name]
        assert record["TRINHTUTHUCHIEN"][0]["TRINHTU"], name
        papers = _papers(record)
        assert len(papers) >= 2 and all("SOBANCHINH" in p and "SOBANSAO" in p for p in papers), name
        assert any(p["TENMAUDON"] for p in papers), name
        times = record["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]
        assert float(times["THOIGIANGIAIQUYET"]) > 0 and times["PHILEPHI"], name
        assert record["CANCUPHAPLY"] and record["KETQUATHUCHIEN"] and record["DOITUONGTHUCHIEN"], name
        assert record["MUCDO"] in ("3", "4") and record["BIEUMAUTRUCTUYEN"]["type"] == "object", name


def renderable(schema: dict[str, Any], depth: int = 0) -> list[str]:
    """What the portal's form generator supports: sections one level deep, typed titled leaves."""
    problems = []
    if schema.get("additionalProperties") is not False:
        problems.append("additionalProperties must be false")
    for name, node in schema.get("properties", {}).items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or not node.get("title"):
            problems.append(f"{name}: snake_case name and a title")
        kind = node.get("type")
        if kind == "object":
            problems += (
                [f"{name}.{p}" for p in renderable(node, depth + 1)] if depth == 0 else [f"{name}: too deep"]
            )
        elif kind == "string":
            if "maxLength" not in node and "enum" not in node:
                problems.append(f"{name}: strings need maxLength")
            if node.get("format") not in (None, "date", "email"):
                problems.append(f"{name}: format")
            if "enum" in node and len(node.get("x-enum-labels", [])) != len(node["enum"]):
                problems.append(f"{name}: enum labels")
        elif kind not in ("integer", "boolean"):
            problems.append(f"{name}: type {kind}")
    return problems


def test_every_online_form_is_a_valid_schema_the_portal_can_render(package):
    forms = [r["BIEUMAUTRUCTUYEN"] for r in package if r["MUCDO"] in ("3", "4")]
    assert len(forms) == 525 + 184
    for schema in {repr(f): f for f in forms}.values():
        Draft202012Validator.check_schema(schema)
        assert renderable(schema) == [], schema["title"]


def test_fees_follow_the_levels(package):
    online = [r for r in package if r["MUCDO"] in ("3", "4")]
    assert any(r["THOIDIEMTHUPHI"] == "none" for r in online)
    assert any(
        r["MUCDO"] == "4"
        and r["THOIDIEMTHUPHI"] == "before_processing"
        and int(r["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"]) > 0
        for r in online
    )
    assert all(r["THOIDIEMTHUPHI"] != "before_processing" for r in package if r["MUCDO"] in ("2", "3"))


def test_every_level_2_procedure_has_a_form_template(package):
    assert all(any(p["TENMAUDON"] for p in _papers(r)) for r in package if r["MUCDO"] == "2")


def test_the_whole_package_is_accepted_by_the_catalogue_import(package):
    parsed = parse_package(package, Structure.from_config(load_structure()))
    assert parsed.rejected == [] and len(parsed.procedures) == 1801


def test_a_template_is_a_word_document_whose_vietnamese_survives():
    # given / when
    document = render_docx(
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        ["Kính gửi: {agency}", "Họ, chữ đệm, tên:", "Ngày sinh:\tDân tộc:"],
        agency="Ủy ban nhân dân Phường 6",
    )
    archive = zipfile.ZipFile(io.BytesIO(document))
    xml = archive.read("word/document.xml").decode("utf-8")
    # then
    assert {"[Content_Types].xml", "word/document.xml", "word/styles.xml"} <= set(archive.namelist())
    ElementTree.fromstring(xml.encode())
    assert "TỜ KHAI ĐĂNG KÝ KẾT HÔN" in xml and "Ủy ban nhân dân Phường 6" in xml
    assert "Times New Roman" in archive.read("word/styles.xml").decode()


def test_there_is_one_document_per_template_named(package):
    named = {(r["MaTTHC"], p["TENMAUDON"]) for r in package for p in _papers(r) if p["TENMAUDON"]}
    produced = [(code, name) for code, name, _ in form_templates(package[:60])]
    assert set(produced) == {n for n in named if n[0] in {r["MaTTHC"] for r in package[:60]}}


def test_the_package_is_the_same_every_time(package):
    assert build_package() == package
