"""Search: Vietnamese folding, prefixes, spelling variants, synonyms and ranking."""

from services.catalog.logic.search import CatalogIndex, Filters, expand, fold, words


def _record(
    code: str,
    name: str,
    level: int = 3,
    agency: str = "000.00.31.H53",
    field: str = "HT",
    tier: str = "commune",
    keywords: tuple[str, ...] = (),
) -> dict:
    return {
        "code": code,
        "name": name,
        "level": level,
        "field": {"code": field, "name": "Hộ tịch"},
        "agency": {"code": agency, "name": "Ủy ban nhân dân Phường 6"},
        "tier": tier,
        "processing_days": 3,
        "fee_vnd": 0,
        "keywords": list(keywords),
        "description": "",
    }


CATALOG = [
    _record("1.000001", "Đăng ký kết hôn"),
    _record(
        "1.000002", "Đăng ký kết hôn có yếu tố nước ngoài", level=4, tier="district", agency="000.00.20.H53"
    ),
    _record("1.000003", "Đăng ký khai sinh"),
    _record(
        "1.000004",
        "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
        field="DB",
        tier="province",
        agency="000.00.05.H53",
    ),
    _record(
        "1.000005",
        "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        field="DD",
        tier="province",
        agency="000.00.06.H53",
    ),
    _record("1.000006", "Cấp bản sao trích lục hộ tịch", level=4),
    _record("1.000007", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", level=3, tier="district"),
]


def _names(index: CatalogIndex, q: str, **filters) -> list[str]:
    result = index.search(q, Filters(**filters), 0, 10)
    return [index.docs[i]["name"] for i in result.ids]


def test_folding_removes_diacritics_and_d_and_unifies_i_y():
    # given / when / then
    assert fold("Đăng Ký Kết Hôn") == "dang ki ket hon"
    assert fold("đăng kí") == fold("đăng ký")
    assert words("Giấy phép lái xe, hạng A1") == ["giai", "phep", "lai", "xe", "hang", "a1"]


def test_query_without_diacritics_finds_the_procedure_first():
    # given
    index = CatalogIndex(CATALOG)
    # when
    found = _names(index, "dang ky ket hon")
    # then: the exact name outranks the longer one that contains it
    assert found[:2] == ["Đăng ký kết hôn", "Đăng ký kết hôn có yếu tố nước ngoài"]


def test_spelling_variant_ki_and_ky_match_the_same_procedures():
    index = CatalogIndex(CATALOG)
    assert _names(index, "đăng kí khai sinh")[0] == "Đăng ký khai sinh"


def test_the_last_word_matches_as_a_prefix_while_typing():
    # given
    index = CatalogIndex(CATALOG)
    # when the citizen has typed "dang ky ket h"
    found = _names(index, "dang ky ket h")
    # then
    assert found[0] == "Đăng ký kết hôn"
    # and an unfinished word in the middle is forgiven too
    assert _names(index, "dang k ket hon")[0] == "Đăng ký kết hôn"


def test_colloquial_names_find_the_official_procedure():
    index = CatalogIndex(CATALOG)
    assert _names(index, "đổi bằng lái")[0].startswith("Đổi giấy phép lái xe")
    assert _names(index, "làm sổ đỏ lần đầu")[0].startswith("Đăng ký đất đai")
    assert _names(index, "sao y")[0].startswith("Chứng thực bản sao")


def test_expansion_keeps_the_query_as_typed_and_adds_the_official_phrase():
    variants = expand(words("doi bang lai"))
    assert variants[0] == ["doi", "bang", "lai"]
    assert variants[1] == ["doi", "giai", "phep", "lai", "xe"]


def test_filters_narrow_the_results_and_total_counts_all_matches():
    # given
    index = CatalogIndex(CATALOG)
    # when
    result = index.search("dang ky", Filters(level=4), 0, 10)
    # then
    assert [index.docs[i]["code"] for i in result.ids] == ["1.000002"]
    assert result.total == 1
    assert _names(index, "", tier="district") == [
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Đăng ký kết hôn có yếu tố nước ngoài",
    ]


def test_a_procedure_code_finds_its_procedure():
    index = CatalogIndex(CATALOG)
    assert _names(index, "1.000006") == ["Cấp bản sao trích lục hộ tịch"]


def test_a_typo_in_one_word_of_three_still_finds_the_procedure():
    index = CatalogIndex(CATALOG)
    assert "Đăng ký kết hôn" in _names(index, "dang ky ket hong")


def test_paging_walks_through_every_result_once():
    # given a catalogue of 45 procedures with the same words
    index = CatalogIndex([_record(f"1.{n:06d}", f"Cấp giấy phép số {n}") for n in range(45)])
    seen = []
    offset = 0
    # when paging by 20
    while True:
        result = index.search("cap giay phep", Filters(), offset, 20)
        seen += result.ids
        offset += len(result.ids)
        if not result.ids or offset >= result.total:
            break
    # then
    assert len(seen) == 45 == len(set(seen))


def test_facets_count_levels_fields_agencies_and_tiers():
    facets = CatalogIndex(CATALOG).facets()
    assert facets["total"] == 7
    assert facets["levels"] == {"1": 0, "2": 0, "3": 5, "4": 2}
    assert {t["code"]: t["count"] for t in facets["tiers"]} == {"commune": 3, "district": 2, "province": 2}
    assert {
        "code": "000.00.20.H53",
        "name": "Ủy ban nhân dân Phường 6",
        "tier": "district",
        "count": 1,
    } in facets["agencies"]
