"""The national TTHC package format to our procedure model."""

import copy
import json
from pathlib import Path

from services.catalog.logic.tthc import Structure, parse_package, to_procedure
from services.core.procedures import Channel, DeliveryMethod, FeeTiming
from services.core.text import safe_file_name

SAMPLE = json.loads((Path(__file__).parent.parent / "events" / "tthc-package-sample.json").read_text())


def test_a_national_record_becomes_a_complete_procedure():
    # given the sample record for "Đăng ký giám hộ"
    record = SAMPLE[0]
    # when
    procedure = to_procedure(record, Structure())
    # then
    assert procedure.code == "1.000893.000.00.00.H53"
    assert procedure.name == "Đăng ký giám hộ"
    assert procedure.level == 3
    assert procedure.tier == "commune"
    assert procedure.agency.code == "000.00.31.H53"
    assert procedure.field.name == "Hộ tịch"
    assert len(procedure.steps) == 3
    assert [c.id for c in procedure.components] == ["GT1", "GT2"]
    assert procedure.components[0].form_id == "GT1" and procedure.components[1].form_id is None
    assert procedure.forms[0].file_name == "To-khai-dang-ky-giam-ho.docx"
    assert procedure.fee_vnd == 0 and procedure.fee_timing == FeeTiming.NONE
    assert procedure.processing_days == 3
    assert {m.channel for m in procedure.methods} == {Channel.IN_PERSON, Channel.ONLINE}
    assert procedure.legal_basis[0].number == "60/2014/QH13"
    assert procedure.delivery_methods == [DeliveryMethod.IN_PERSON]
    assert procedure.form_schema is not None  # a level-3 record without a schema gets the generic form


def test_a_level_4_record_with_a_fee_is_paid_before_processing_by_default():
    procedure = to_procedure(SAMPLE[1], Structure())
    assert procedure.level == 4
    assert procedure.fee_vnd == 4_000_000
    assert procedure.fee_timing == FeeTiming.BEFORE_PROCESSING
    assert procedure.tier == "district"
    assert procedure.conditions.startswith("Phòng hát")
    assert procedure.delivery_methods == [
        DeliveryMethod.ONLINE,
        DeliveryMethod.POSTAL,
        DeliveryMethod.IN_PERSON,
    ]


def test_a_record_without_a_level_is_imported_at_level_2():
    record = copy.deepcopy(SAMPLE[0])
    del record["MUCDO"]
    procedure = to_procedure(record, Structure())
    assert procedure.level == 2
    assert procedure.form_schema is None


def test_bad_records_are_rejected_with_a_reason_and_the_rest_imported():
    # given one good record, one with a bad code, one with a bad level, one that is not an object
    bad_code = {**copy.deepcopy(SAMPLE[0]), "MaTTHC": "khong-phai-ma"}
    bad_level = {**copy.deepcopy(SAMPLE[1]), "MUCDO": "7"}
    # when
    parsed = parse_package([SAMPLE[0], bad_code, bad_level, "rác"], Structure())
    # then
    assert [p.code for p in parsed.procedures] == ["1.000893.000.00.00.H53"]
    reasons = {r["code"]: r["detail"] for r in parsed.rejected}
    assert "định dạng" in reasons["khong-phai-ma"]
    assert "MUCDO" in reasons["2.001711.000.00.00.H53"]
    assert "#4" in reasons


def test_a_two_tier_structure_maps_national_tier_codes_by_configuration():
    # given a province with no district tier, where national code "2" does not exist
    structure = Structure.from_config(
        {"tiers": [{"code": "province", "national_code": "1"}, {"code": "commune", "national_code": "3"}]}
    )
    # when / then
    assert to_procedure(SAMPLE[0], structure).tier == "commune"
    parsed = parse_package([SAMPLE[1]], structure)
    assert parsed.rejected and "cơ cấu" in parsed.rejected[0]["detail"]


def test_template_file_names_lose_their_path_and_odd_characters():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\mau\\Tờ khai <1>.docx") == "Tờ khai _1_.docx"
    assert safe_file_name("..") == "tep"
