"""What the portal's pages share (the document's head, header, footer, breadcrumb trail) lives once, in
portal/partials; the built portal carries it on every page."""

from __future__ import annotations

import re

import pytest

from infra import portal_build


def test_every_page_marks_where_the_header_and_footer_go():
    for page in portal_build.pages():
        text = page.read_text()
        group = "console" if "can-bo" in page.parts else "citizen"
        assert f"<!-- partial: {group}-header --><!-- /partial -->" in text, page
        assert f"<!-- partial: {group}-footer --><!-- /partial -->" in text, page


def test_the_built_portal_has_every_page_with_its_header_and_footer(tmp_path):
    # when the portal is built
    out = portal_build.assemble(tmp_path)
    # then every page carries the partials' text in place of its markers, and no marker is left
    header = (portal_build.PARTIALS / "citizen-header.html").read_text().strip()
    console = (portal_build.PARTIALS / "console-header.html").read_text().strip()
    for page in portal_build.pages():
        built = (out / page.relative_to(portal_build.PORTAL)).read_text()
        assert "<!-- partial:" not in built
        assert (console if "can-bo" in page.parts else header) in built
    assert not (out / "partials").exists()
    assert (out / "css" / "site.css").is_file()


def test_a_menu_change_is_one_edit(tmp_path, monkeypatch):
    # given a partial with a new menu entry
    partials = tmp_path / "partials"
    partials.mkdir()
    (partials / "citizen-header.html").write_text("<nav><a href='/moi.html'>Mới</a></nav>\n")
    monkeypatch.setattr(portal_build, "PARTIALS", partials)
    page = "<body>\n  <!-- partial: citizen-header --><!-- /partial -->\n  <main></main>"
    # when the page is built, then it holds the new menu and the rest is untouched
    built = portal_build.filled(page)
    assert built == "<body>\n  <nav><a href='/moi.html'>Mới</a></nav>\n  <main></main>"


def test_every_built_page_is_a_whole_document_with_its_own_title_and_script(tmp_path):
    # when the portal is built
    out = portal_build.assemble(tmp_path)
    for page in portal_build.pages():
        marker = re.search(
            r'<!-- partial: head title-key="([^"]+)" title="([^"]+)" script="([^"]+)" -->', page.read_text()
        )
        assert marker, page
        key, title, script = marker.groups()
        built = (out / page.relative_to(portal_build.PORTAL)).read_text()
        # then it opens and closes the document once, with the title and the script its marker names
        assert built.startswith('<!doctype html>\n<html lang="vi">\n<head>\n'), page
        assert built.endswith("</body>\n</html>\n") and built.count("<body") == 1, page
        assert built.count("<title") == 1 and f'<title data-i18n="{key}">{title}</title>' in built
        assert built.count("<script") == 1 and f'<script type="module" src="{script}"></script>' in built
        assert (portal_build.PORTAL / script.lstrip("/")).is_file(), script


def _partials(tmp_path, monkeypatch, **texts):
    partials = tmp_path / "partials"
    partials.mkdir()
    for name, text in texts.items():
        (partials / f"{name}.html").write_text(text)
    monkeypatch.setattr(portal_build, "PARTIALS", partials)


def test_a_marker_fills_its_partials_slots(tmp_path, monkeypatch):
    # given a partial with two slots
    _partials(tmp_path, monkeypatch, head='<title data-i18n="{{title-key}}">{{title}}</title>\n')
    # when a page names both, then both are filled
    page = '<!-- partial: head title-key="title.x" title="X - Cổng" --><!-- /partial -->\n<body>'
    assert portal_build.filled(page) == '<title data-i18n="title.x">X - Cổng</title>\n<body>'


def test_a_slot_without_a_value_or_a_value_without_a_slot_stops_the_build(tmp_path, monkeypatch):
    _partials(tmp_path, monkeypatch, head="<title>{{title}}</title>\n")
    with pytest.raises(ValueError, match="needs title"):
        portal_build.filled("<!-- partial: head --><!-- /partial -->")
    with pytest.raises(ValueError, match="no slot for titel"):
        portal_build.filled('<!-- partial: head title="X" titel="X" --><!-- /partial -->')


def test_the_lines_between_the_markers_fill_the_content_slot(tmp_path, monkeypatch):
    # given a trail whose steps are the page's own
    _partials(tmp_path, monkeypatch, breadcrumbs="<nav>\n  <ol>\n{{content}}\n  </ol>\n</nav>\n")
    page = "<main>\n  <!-- partial: breadcrumbs -->\n    <li>A</li>\n    <li>B</li>\n  <!-- /partial -->\n"
    # when the page is built, then the steps stand inside the partial, as written
    built = portal_build.filled(page)
    assert built == "<main>\n  <nav>\n  <ol>\n    <li>A</li>\n    <li>B</li>\n  </ol>\n</nav>\n"
