"""The portal's shared header and footer live once, in portal/partials; the built portal carries them
on every page."""

from __future__ import annotations

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
