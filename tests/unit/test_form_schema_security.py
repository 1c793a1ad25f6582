"""Online form schemas can make the server fetch nothing and cannot stall it with a pattern (issue 19,
findings 1 and 6): the import refuses such schemas with the reason, and a schema stored before the
rules is refused when a draft is validated against it, never followed."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from services.catalog.logic.tthc import Structure, parse_package
from services.core.errors import ValidationFailed
from services.core.form_schema import (
    MAX_SCHEMA_BYTES,
    has_nested_quantifier,
    schema_problem,
)
from services.submission.logic.forms import UNUSABLE, check_form, form_errors

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = json.loads((ROOT / "tests" / "events" / "tthc-package-sample.json").read_text())
EVIL = "^(a+)+$"
ATTACK = "a" * 30 + "!"


def form(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def record_with(schema: Any, code: str = "1.000893.000.00.00.H53") -> dict[str, Any]:
    return {**copy.deepcopy(SAMPLE[0]), "MaTTHC": code, "BIEUMAUTRUCTUYEN": schema}


class Listener:
    """An HTTP server on 127.0.0.1 that counts who calls it and would answer a permissive schema."""

    def __init__(self) -> None:
        calls: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                calls.append(self.path)
                body = json.dumps({"type": "string", "maxLength": 1}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.calls = calls
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # port 0: a free one
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.server.shutdown()
    server.server.server_close()


# -- 1: references --------------------------------------------------------------------------------------


def test_a_draft_against_a_stored_schema_with_a_remote_ref_never_contacts_the_server(listener):
    # given a schema stored before the import rules, whose field points at a server we watch
    schema = form(noi_dung={"$ref": f"{listener.url}/x.json"})
    # when drafts are validated against it, twice
    first = form_errors(schema, {"noi_dung": "dài hơn một ký tự"})
    with pytest.raises(ValidationFailed) as refused:
        check_form(schema, {"noi_dung": "x"})
    # then the server was never contacted, and the citizen hears a 4xx about the form, not a 500
    assert listener.calls == []
    assert first == UNUSABLE
    assert refused.value.status == 422 and refused.value.errors == UNUSABLE


def test_a_remote_ref_behind_a_root_id_is_not_fetched_either(listener):
    # given a relative reference that only the root's $id turns into a URL of the watched server
    schema = {**form(noi_dung={"$ref": "x.json"}), "$id": f"{listener.url}/root.json"}
    # when / then
    assert form_errors(schema, {"noi_dung": "x"}) == UNUSABLE
    assert listener.calls == []


def test_file_refs_are_neither_read_nor_a_500(tmp_path):
    # given a readable JSON file on the server's disk, and a file that is not JSON
    local = tmp_path / "schema.json"
    local.write_text(json.dumps({"type": "string", "maxLength": 1}))
    for target in (local.as_uri(), "file:///etc/hostname"):
        schema = form(noi_dung={"$ref": target})
        # when a draft is validated against a schema pointing at it
        errors = form_errors(schema, {"noi_dung": "dài hơn một ký tự"})
        # then the file is not enforced (nor its existence revealed): the form is unusable, a 4xx
        assert errors == UNUSABLE, target


def test_local_refs_anchors_and_a_root_id_still_validate():
    # given a schema that reuses a definition by pointer and by anchor
    schema = {
        "type": "object",
        "$id": "https://dichvucong.example.gov.vn/forms/x.json",
        "$defs": {"ten": {"type": "string", "minLength": 2}, "so": {"$anchor": "so", "type": "integer"}},
        "properties": {"ho_ten": {"$ref": "#/$defs/ten"}, "tuoi": {"$ref": "#so"}},
    }
    # when / then
    assert schema_problem(schema) is None
    assert form_errors(schema, {"ho_ten": "An", "tuoi": 30}) == []
    assert [e["field"] for e in form_errors(schema, {"ho_ten": "A", "tuoi": "ba"})] == [
        "form_data.ho_ten",
        "form_data.tuoi",
    ]


def test_the_import_rejects_every_reference_that_leaves_the_schema_and_imports_the_rest():
    # given records whose form points outside itself, in each way, and one good record
    nested = form(diachi={"type": "object", "properties": {"so": {"allOf": [{"$ref": "https://x.vn/a"}]}}})
    bad = {
        "1.000001.000.00.00.H53": form(a={"$ref": "http://127.0.0.1:8199/x.json"}),
        "1.000002.000.00.00.H53": form(a={"$ref": "file:///etc/hostname"}),
        "1.000003.000.00.00.H53": nested,
        "1.000004.000.00.00.H53": {**form(a={}), "$dynamicRef": "https://x.vn/meta#meta"},
        "1.000005.000.00.00.H53": form(a={"$ref": "#/$defs/khong-co"}),
        "1.000006.000.00.00.H53": form(a={"$id": "https://x.vn/b", "type": "string"}),
        "1.000007.000.00.00.H53": {**form(a={}), "allOf": [{"$ref": "#"}]},
    }
    records = [record_with(schema, code) for code, schema in bad.items()]
    # when
    parsed = parse_package([*records, SAMPLE[0]], Structure())
    # then each bad record is rejected, by code, with a Vietnamese reason; the good one imports
    assert [p.code for p in parsed.procedures] == [SAMPLE[0]["MaTTHC"]]
    reasons = {r["code"]: r["detail"] for r in parsed.rejected}
    assert reasons.keys() == bad.keys()
    assert all(d.startswith("Biểu mẫu trực tuyến (BIEUMAUTRUCTUYEN) bị từ chối") for d in reasons.values())
    assert (
        "127.0.0.1:8199" in reasons["1.000001.000.00.00.H53"] and "ngoài" in reasons["1.000001.000.00.00.H53"]
    )
    assert "$dynamicRef" in reasons["1.000004.000.00.00.H53"]
    assert "không trỏ tới" in reasons["1.000005.000.00.00.H53"]
    assert "$id" in reasons["1.000006.000.00.00.H53"]
    assert "vòng" in reasons["1.000007.000.00.00.H53"]


def test_the_import_rejects_a_schema_over_the_size_limit():
    # given a form whose words alone pass 64 KiB of JSON
    schema = form(a={"type": "string", "description": "x" * MAX_SCHEMA_BYTES})
    # when
    parsed = parse_package([record_with(schema)], Structure())
    # then
    assert parsed.procedures == []
    assert "64 KiB" in parsed.rejected[0]["detail"]


# -- 6: patterns ----------------------------------------------------------------------------------------


def test_the_import_rejects_patterns_that_can_backtrack_and_patterns_re2_cannot_run():
    # given nested quantifiers in a pattern and a patternProperties key, and a lookahead
    bad = {
        "1.000011.000.00.00.H53": form(a={"type": "string", "pattern": EVIL}),
        "1.000012.000.00.00.H53": {**form(), "patternProperties": {"^(a|a)*$": {"type": "string"}}},
        "1.000013.000.00.00.H53": form(a={"type": "string", "pattern": "^(?=a)a+$"}),
    }
    # when
    parsed = parse_package([record_with(s, code) for code, s in bad.items()], Structure())
    # then
    reasons = {r["code"]: r["detail"] for r in parsed.rejected}
    assert parsed.procedures == [] and reasons.keys() == bad.keys()
    assert "lồng nhau" in reasons["1.000011.000.00.00.H53"] and EVIL in reasons["1.000011.000.00.00.H53"]
    assert "lồng nhau" in reasons["1.000012.000.00.00.H53"]
    assert "không dùng được" in reasons["1.000013.000.00.00.H53"]


def test_a_stored_evil_pattern_does_not_stall_the_validation():
    # given a procedure stored before the rules with ^(a+)+$, validated in a process of its own so that
    # a backtracking engine (which holds the GIL) cannot stall this one
    program = (
        "import json, sys\n"
        "from services.submission.logic.forms import form_errors\n"
        f"schema = {{'type': 'object', 'properties': {{'a': {{'type': 'string', 'pattern': {EVIL!r}}}}}}}\n"
        f"print(json.dumps(form_errors(schema, {{'a': {ATTACK!r}}})))\n"
    )
    # when
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    # then it answers (Python's re would need about 2^30 steps), refusing the form as unusable
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == UNUSABLE


def test_patterns_run_in_re2_not_in_pythons_re(monkeypatch):
    # given Python's re made unusable where jsonschema would call it for patterns
    import jsonschema._keywords
    import jsonschema._utils

    class NoPythonRe:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"Python's re.{name} used for a schema pattern")

    monkeypatch.setattr(jsonschema._keywords, "re", NoPythonRe())
    monkeypatch.setattr(jsonschema._utils, "re", NoPythonRe())
    schema = {
        "type": "object",
        "properties": {"cccd": {"type": "string", "pattern": "^[0-9]{12}$"}},
        "patternProperties": {"^x_[a-z]+$": {"type": "integer"}},
        "additionalProperties": False,
    }
    # when drafts are validated through the submission's path
    valid = form_errors(schema, {"cccd": "012345678901", "x_tuoi": 3})
    invalid = form_errors(schema, {"cccd": "12", "x_tuoi": "ba", "khac": 1})
    # then the pattern keywords answer as the specification says, without Python's re
    assert valid == []
    assert {e["field"] for e in invalid} == {"form_data.cccd", "form_data.x_tuoi", "form_data"}


def test_re2_answers_the_evil_pattern_in_linear_time():
    from services.core.form_schema import _search

    # the engine itself, should a pattern pass the import's check: no backtracking to run away with
    assert _search(EVIL, ATTACK) is False
    assert _search(EVIL, "a" * 100_000) is True


def test_vietnamese_patterns_in_ecma_spelling_work():
    # given a name pattern spelled with \\u escapes (ECMA-262) and one with a Unicode class
    schema = form(
        ho_ten={"type": "string", "pattern": "^[A-Za-z\\u00C0-\\u1EF9 ]+$"},
        ten_co_so={"type": "string", "pattern": "^[\\p{L}0-9 ]+$"},
    )
    # when / then
    assert schema_problem(schema) is None
    assert form_errors(schema, {"ho_ten": "Nguyễn Văn An", "ten_co_so": "Cơ sở Hòa Bình 2"}) == []
    assert len(form_errors(schema, {"ho_ten": "An<script>", "ten_co_so": "x;y"})) == 2


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        (EVIL, True),
        ("(a*)*", True),
        ("(a|a)*", True),
        ("(a?)+", True),
        ("([a-z]+\\.)+vn", True),
        ("(?:\\d{3})+", True),
        ("^[0-9]{12}$", False),
        ("^[0-9]+([.,][0-9]{1,2})?$", False),
        ("^([01][0-9]|2[0-3]):[0-5][0-9]$", False),
        ("^[0-9]{10}(-[0-9]{3})?$", False),
        ("(ab){2,}", False),
        ("\\(a+\\)+", False),
        ("[(a+)]+", False),
    ],
)
def test_nested_quantifiers_are_recognised(pattern, nested):
    assert has_nested_quantifier(pattern) is nested


def test_the_seed_forms_pass_the_rules():
    from infra.seed.generate import build_package

    # every distinct form of the seed catalogue, and the generic one
    forms = {
        json.dumps(r["BIEUMAUTRUCTUYEN"]): r["BIEUMAUTRUCTUYEN"]
        for r in build_package()
        if "BIEUMAUTRUCTUYEN" in r
    }
    assert forms
    assert [f["title"] for f in forms.values() if schema_problem(f)] == []
