"""The catalogue's HTTP function: `/api/catalog` of API.md."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, Path, Query
from fastapi.responses import JSONResponse, RedirectResponse

from services.catalog.logic.catalog import import_package, search_page
from services.catalog.logic.search import Filters
from services.catalog.models.api import Facets, ImportAnswer, ProcedureList
from services.catalog.wiring import details, live, settings, store, structure
from services.core.auth import Official, Role
from services.core.cursors import Cursors
from services.core.errors import NotFound
from services.core.form_schema import MAX_SCHEMA_BYTES
from services.core.http import lambda_handler, redirect_route, service_app
from services.core.officials import RequireRoles
from services.core.procedures import Procedure

TEMPLATE_LINK_SECONDS = 300
IMPORT_BODY_LIMIT = 10 * 1024 * 1024
IMPORT_RULES = f"""Vai trò `catalog_admin`. Mỗi thủ tục được nhập hoặc bị từ chối riêng, kèm lý do trong
`rejected: [{{code, detail}}]`; thủ tục bị từ chối không làm dừng các thủ tục khác.

- Phạm vi: cán bộ quản trị danh mục chỉ nhập và cập nhật thủ tục mà cả cơ quan đang lưu lẫn cơ quan
  thực hiện mới (`COQUANTHUCHIEN`) là cơ quan mình hoặc cơ quan trực thuộc trong cơ cấu hành chính;
  cơ quan quản lý chung của tỉnh (`oversight`) được nhập mọi thủ tục.
- Biểu mẫu trực tuyến (`BIEUMAUTRUCTUYEN`): tối đa {MAX_SCHEMA_BYTES // 1024} KiB JSON; `$ref`,
  `$dynamicRef` chỉ tham chiếu nội bộ (bắt đầu bằng `#`) và phải trỏ tới một phần của biểu mẫu;
  `$id` chỉ ở phần gốc; `pattern` và khóa của `patternProperties` phải biên dịch được bằng RE2 và
  không có lượng từ lồng nhau như `(a+)+`. Xem docs/catalog-import.md."""

cursors = Cursors(settings.cursor_key)
# public, and the same for every citizen: CloudFront and browsers may keep them a little while
SEARCH_CACHE = {"Cache-Control": "public, max-age=60"}
DETAIL_CACHE = {"Cache-Control": "public, max-age=300"}
app = service_app(
    settings,
    prefix="/api/catalog",
    title="Danh mục thủ tục hành chính",
    description="Tra cứu thủ tục hành chính, tải mẫu đơn, nhập gói dữ liệu TTHC quốc gia.",
    body_limits={"/api/catalog/import": IMPORT_BODY_LIMIT},
)

CODE = Path(min_length=3, max_length=40, pattern=r"^[0-9A-Za-z.]+$", description="Mã thủ tục")


@app.get("/api/catalog/procedures", response_model=ProcedureList, summary="Tìm kiếm thủ tục")
def list_procedures(
    q: Annotated[str, Query(max_length=200, description="từ khóa, có hoặc không dấu")] = "",
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    agency: Annotated[str | None, Query(max_length=40)] = None,
    field: Annotated[str | None, Query(max_length=40)] = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    filters = Filters(level=level, agency=agency or None, field=field or None, tier=tier or None)
    page = ProcedureList.model_validate(search_page(live.index(), q, filters, limit, cursor, cursors))
    return JSONResponse(page.model_dump(mode="json"), headers=SEARCH_CACHE)


@app.get("/api/catalog/procedures/{code}", response_model=Procedure, summary="Chi tiết thủ tục")
def get_procedure(code: Annotated[str, CODE]) -> JSONResponse:
    return JSONResponse(_procedure(code).model_dump(mode="json"), headers=DETAIL_CACHE)


@redirect_route(
    app,
    "/api/catalog/procedures/{code}/forms/{form_id}",
    summary="Tải mẫu đơn, tờ khai",
    target="Liên kết tải có thời hạn ngắn",
)
def download_form(
    code: Annotated[str, CODE],
    form_id: Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")],
) -> RedirectResponse:
    procedure = _procedure(code)
    form = next((f for f in procedure.forms if f.id == form_id), None)
    if form is None or procedure.level < 2 or not store.template_exists(code, form.id, form.file_name):
        raise NotFound("Thủ tục này không có mẫu đơn, tờ khai được yêu cầu.")
    url = store.template_url(code, form.id, form.file_name, form.content_type, TEMPLATE_LINK_SECONDS)
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


@app.get(
    "/api/catalog/facets", response_model=Facets, summary="Thống kê danh mục theo mức độ, lĩnh vực, cơ quan"
)
def facets() -> JSONResponse:
    return JSONResponse(
        Facets.model_validate(live.index().facets()).model_dump(mode="json"), headers=DETAIL_CACHE
    )


@app.post(
    "/api/catalog/import",
    response_model=ImportAnswer,
    summary="Nhập gói dữ liệu TTHC quốc gia",
    description=IMPORT_RULES,
)
def import_procedures(
    records: Annotated[list[Any], Body(max_length=25000, description="các thủ tục theo định dạng TTHC")],
    official: Annotated[Official, Depends(RequireRoles(Role.CATALOG_ADMIN))],
) -> ImportAnswer:
    result = import_package(records, structure(), store, live, importer=official.agency)
    details.clear()
    return ImportAnswer.model_validate(result, from_attributes=True)


def _procedure(code: str) -> Procedure:
    procedure = details.get(code, store.get)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã {code}.")
    return procedure


handler = lambda_handler(app)
