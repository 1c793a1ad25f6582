"""The catalogue on the started local cloud, as the portal and a citizen use it."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from services.core.text import strip_diacritics

TWENTY = [
    "Đăng ký khai sinh",
    "Đăng ký kết hôn",
    "Đăng ký khai tử",
    "Cấp Giấy xác nhận tình trạng hôn nhân",
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
    "Đăng ký thành lập hộ kinh doanh",
    "Đăng ký thành lập doanh nghiệp tư nhân",
    "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
    "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và "
    "tài sản khác gắn liền với đất lần đầu",
    "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
    "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
    "Đăng ký nhận cha, mẹ, con",
    "Cấp Giấy phép bán lẻ rượu",
    "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng",
    "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
    "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
    "Cấp bản sao trích lục hộ tịch",
    "Cấp Giấy phép kinh doanh vận tải bằng xe ô tô",
]


@pytest.fixture(scope="module")
def api(stack) -> httpx.Client:
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        yield client


def test_healthz_reports_the_embedded_aws(stack, api):
    answer = api.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "aws_endpoint": stack.aws_endpoint}


def test_the_seed_catalogue_has_the_provinces_figures(api):
    facets = api.get("/api/catalog/facets").json()
    assert facets["total"] == 1801
    assert facets["levels"] == {"1": 0, "2": 1092, "3": 525, "4": 184}
    assert {t["code"] for t in facets["tiers"]} == {"province", "district", "commune"}
    assert len(facets["agencies"]) > 30 and len(facets["fields"]) > 20


@pytest.mark.parametrize("name", TWENTY)
def test_each_real_procedure_is_in_the_top_three_typed_without_diacritics(api, name):
    # given a citizen typing the name without diacritics on a phone keyboard
    typed = strip_diacritics(name).lower()
    # when
    items = api.get("/api/catalog/procedures", params={"q": typed, "limit": 3}).json()["items"]
    # then
    assert name in [i["name"] for i in items], [i["name"] for i in items]
    # and its detail page is complete
    code = next(i["code"] for i in items if i["name"] == name)
    detail = api.get(f"/api/catalog/procedures/{code}").json()
    assert detail["steps"] and detail["components"] and detail["legal_basis"] and detail["result"]
    assert detail["subjects"] and detail["processing_days"] > 0 and detail["forms"]
    assert all({"originals", "copies", "required"} <= set(c) for c in detail["components"])
    assert detail["level"] in (3, 4) and detail["form_schema"]["type"] == "object"


def test_a_form_template_downloads_as_a_real_docx_with_vietnamese_text(api):
    # given the marriage registration procedure
    found = api.get("/api/catalog/procedures", params={"q": "dang ky ket hon", "limit": 1}).json()["items"][0]
    detail = api.get(f"/api/catalog/procedures/{found['code']}").json()
    form = detail["forms"][0]
    # when the citizen follows the download link
    answer = api.get(f"/api/catalog/procedures/{found['code']}/forms/{form['id']}")
    assert answer.status_code == 302
    document = httpx.get(answer.headers["location"], timeout=10)
    # then it is a Word document whose text keeps its diacritics
    assert document.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(document.content)).read("word/document.xml").decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in xml


def test_type_ahead_prefixes_and_synonyms_work_over_the_whole_catalogue(api):
    assert (
        api.get("/api/catalog/procedures", params={"q": "dang ky ket h"}).json()["items"][0]["name"]
        == "Đăng ký kết hôn"
    )
    assert (
        api.get("/api/catalog/procedures", params={"q": "đổi bằng lái"})
        .json()["items"][0]["name"]
        .startswith("Đổi giấy phép lái xe")
    )
    assert api.get("/api/catalog/procedures", params={"q": "sổ đỏ"}).json()["total"] > 0


def test_filters_and_paging_cover_every_match_once(api):
    seen, cursor = [], None
    while True:
        params = {"level": 4, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/catalog/procedures", params=params).json()
        seen += [i["code"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 184 == page["total"]


def test_the_portal_is_served_with_its_security_headers(api):
    answer = api.get("/")
    assert answer.status_code == 200 and 'lang="vi"' in answer.text
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"


def test_a_missing_portal_page_is_a_404_page_with_the_same_headers(api):
    for path in ("/khong-co-trang-nay.html", "/favicon.ico", "/js/khong-co.js"):
        answer = api.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert "Không tìm thấy trang" in api.get("/khong-co-trang-nay.html").text
