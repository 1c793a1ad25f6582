"""The catalogue's HTTP function: `/api/catalog` of API.md."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from fastapi import Body, Depends, Path, Query
from fastapi.responses import JSONResponse, RedirectResponse

from services.catalog.dal.catalog import CatalogStore
from services.catalog.logic.catalog import DetailCache, LiveCatalog, import_package, search_page
from services.catalog.logic.search import Filters
from services.catalog.logic.tthc import Structure
from services.catalog.models.api import Facets, ImportAnswer, ProcedureList
from services.catalog.settings import CatalogSettings
from services.core.auth import Official, Role
from services.core.errors import NotFound
from services.core.http import create_app, lambda_handler
from services.core.officials import RequireRoles
from services.core.procedures import Procedure
from services.core.settings import load
from services.core.structure import get_structure

TEMPLATE_LINK_SECONDS = 300
IMPORT_BODY_LIMIT = 10 * 1024 * 1024

settings = load(CatalogSettings)
store = CatalogStore(settings.table_name, settings.forms_bucket)
live = LiveCatalog(store, settings.catalog_refresh_seconds)
details = DetailCache()
# public, and the same for every citizen: CloudFront and browsers may keep them a little while
SEARCH_CACHE = {"Cache-Control": "public, max-age=60"}
DETAIL_CACHE = {"Cache-Control": "public, max-age=300"}
app = create_app(
    prefix="/api/catalog",
    title="Danh mục thủ tục hành chính",
    description="Tra cứu thủ tục hành chính, tải mẫu đơn, nhập gói dữ liệu TTHC quốc gia.",
    portal_origin=settings.portal_url,
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
    page = ProcedureList.model_validate(search_page(live.index(), q, filters, limit, cursor))
    return JSONResponse(page.model_dump(mode="json"), headers=SEARCH_CACHE)


@app.get("/api/catalog/procedures/{code}", response_model=Procedure, summary="Chi tiết thủ tục")
def get_procedure(code: Annotated[str, CODE]) -> JSONResponse:
    return JSONResponse(_procedure(code).model_dump(mode="json"), headers=DETAIL_CACHE)


@app.get(
    "/api/catalog/procedures/{code}/forms/{form_id}",
    status_code=302,
    response_class=RedirectResponse,
    summary="Tải mẫu đơn, tờ khai",
    responses={302: {"description": "Liên kết tải có thời hạn ngắn"}},
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


@app.post("/api/catalog/import", response_model=ImportAnswer, summary="Nhập gói dữ liệu TTHC quốc gia")
def import_procedures(
    records: Annotated[list[Any], Body(max_length=25000, description="các thủ tục theo định dạng TTHC")],
    official: Annotated[Official, Depends(RequireRoles(Role.CATALOG_ADMIN))],
) -> ImportAnswer:
    result = import_package(records, _structure(), store, live)
    details.clear()
    return ImportAnswer.model_validate(result, from_attributes=True)


def _procedure(code: str) -> Procedure:
    procedure = details.get(code, store.get)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã {code}.")
    return procedure


@cache
def _structure() -> Structure:
    return Structure.from_config(get_structure(settings.table_name))


handler = lambda_handler(app)
