"""Form templates (mẫu đơn, tờ khai) as real Word documents, written with the standard library.

A DOCX is a zip of XML parts; the parts that never change are built once. Text is UTF-8 XML in
Times New Roman, so Vietnamese renders as written.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOTS = "." * 60

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>
</Relationships>"""
_DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {W}>
<w:docDefaults><w:rPrDefault><w:rPr>
<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman"/>
<w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN"/>
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="300" w:lineRule="auto"/></w:pPr>
</w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
</w:styles>"""
_APP = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Application>Cong Dich vu cong</Application></Properties>"""


def _core(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:language>vi-VN</dc:language>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2019-09-30T00:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )


def _paragraph(text: str, *, bold: bool = False, center: bool = False, italic: bool = False) -> str:
    props = '<w:jc w:val="center"/>' if center else ""
    run_props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    return (
        f"<w:p><w:pPr>{props}</w:pPr><w:r><w:rPr>{run_props}</w:rPr>"
        f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
    )


def _line(text: str) -> str:
    """A label followed by dots to fill in; tabs separate several labels on one line."""
    if "\t" in text:
        parts = [p for p in text.split("\t") if p]
        return _paragraph("  ".join(f"{p} {'.' * max(8, 48 // len(parts))}" for p in parts))
    if text.rstrip().endswith(":"):
        return _paragraph(f"{text} {DOTS[: max(10, 90 - len(text))]}")
    return _paragraph(text)


def render_docx(title: str, paragraphs: list[str], agency: str = "") -> bytes:
    body = [
        _paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, center=True),
        _paragraph("Độc lập - Tự do - Hạnh phúc", bold=True, center=True),
        _paragraph("---------------", center=True),
        _paragraph(title, bold=True, center=True),
        *[_line(p.replace("{agency}", agency or "(tên cơ quan có thẩm quyền)")) for p in paragraphs],
    ]
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>'
        + "".join(body)
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" '
        'w:bottom="1134" w:left="1701" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, part in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("word/_rels/document.xml.rels", _DOCUMENT_RELS),
            ("word/styles.xml", _STYLES),
            ("docProps/app.xml", _APP),
            ("docProps/core.xml", _core(title)),
            ("word/document.xml", document),
        ):
            archive.writestr(
                zipfile.ZipInfo(name, (2019, 9, 30, 0, 0, 0)),
                part.encode("utf-8"),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return buffer.getvalue()


@cache
def _bodies() -> dict[str, Any]:
    return dict(json.loads((HERE / "form_bodies.json").read_text(encoding="utf-8")))


GENERIC = [
    "Kính gửi: {agency}",
    "Họ và tên người đề nghị:",
    "Ngày, tháng, năm sinh:",
    "Số định danh cá nhân:",
    "Nơi cư trú:",
    "Số điện thoại:\tEmail:",
    "Tên tổ chức (nếu đề nghị cho tổ chức):",
    "Nội dung đề nghị:",
    "Tài liệu gửi kèm theo:",
    "Tôi xin cam đoan những thông tin trên là đúng sự thật và chịu trách nhiệm trước pháp luật.",
    "..........., ngày ...... tháng ...... năm ........",
    "Người làm đơn (Ký, ghi rõ họ tên)",
]


def form_templates(package: list[dict[str, Any]]) -> Iterator[tuple[str, str, bytes]]:
    """(procedure code, file name, document) for every template the package names."""
    bodies = _bodies()
    for record in package:
        agency = record["COQUANTHUCHIEN"][0]["TENDONVI"]
        for case in record.get("THANHPHANHOSO", []):
            for paper in case.get("GIAYTO", []):
                name = paper.get("TENMAUDON")
                if not name:
                    continue
                known = bodies.get(name)
                if known:
                    yield record["MaTTHC"], name, render_docx(known["title"], known["paragraphs"], agency)
                else:
                    title = paper["TENGIAYTO"].removesuffix(" (theo mẫu)").upper()
                    yield record["MaTTHC"], name, render_docx(title, GENERIC, agency)
