"""The payment service's HTTP function: `/api/payment` of API.md, and the gateway's callbacks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse

from services.core.auth import Official, Role
from services.core.citizen_auth import CitizenToken
from services.core.http import lambda_handler, redirect_route, service_app
from services.core.observability import logger
from services.core.officials import RequireRoles
from services.payment.logic.orders import RESULT_LINK_SECONDS
from services.payment.logic.vnpay import Rsp, answer
from services.payment.models.api import CreatePayment, IpnAnswer, Payment, Report, ResultLink
from services.payment.wiring import payments

service = payments()
app = service_app(
    service.settings,
    prefix="/api/payment",
    title="Thanh toán trực tuyến và trả kết quả",
    description="Giao dịch phí, lệ phí qua cổng thanh toán (VNPay 2.1.0), IPN, đối soát, tải kết quả.",
)

DOSSIER = Path(min_length=1, max_length=64)


@app.post(
    "/api/payment/payments", status_code=201, response_model=Payment, summary="Tạo giao dịch thanh toán"
)
def create_payment(body: CreatePayment, token: CitizenToken, request: Request) -> dict[str, Any]:
    address = request.client.host if request.client else "127.0.0.1"
    return service.orders.create_order(body.dossier_id, token, address)


@app.get("/api/payment/payments/{payment_id}", response_model=Payment, summary="Trạng thái giao dịch")
def get_payment(
    payment_id: Annotated[str, Path(min_length=1, max_length=40)], token: CitizenToken
) -> dict[str, Any]:
    return service.orders.order(payment_id, token)


# what the gateway sends (VNPay 2.1.0), documented for its clients; the handlers check the signature over the
# raw query, whatever else it carries
VNP_FIELDS = (
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_BankTranNo",
    "vnp_CardType",
    "vnp_OrderInfo",
    "vnp_PayDate",
    "vnp_ResponseCode",
    "vnp_TmnCode",
    "vnp_TransactionNo",
    "vnp_TransactionStatus",
    "vnp_TxnRef",
    "vnp_SecureHash",
)
VNP_QUERY = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in VNP_FIELDS
    ]
}


@app.get(
    "/api/payment/vnpay/ipn",
    response_model=IpnAnswer,
    summary="IPN của cổng thanh toán",
    openapi_extra=VNP_QUERY,
)
def ipn(request: Request) -> JSONResponse:
    params = dict(request.query_params)
    try:
        body = service.callbacks.ipn(params)
    except Exception:  # the gateway must hear 99 (and retry), never a bare error page
        logger.exception("ipn failed", extra={"txn_ref": params.get("vnp_TxnRef")})
        body = answer(Rsp.UNKNOWN)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@redirect_route(
    app,
    "/api/payment/vnpay/return",
    summary="Trở về từ cổng thanh toán",
    target="về trang hồ sơ trên cổng",
    openapi_extra=VNP_QUERY,
)
def return_url(request: Request) -> RedirectResponse:
    return RedirectResponse(service.callbacks.return_redirect(dict(request.query_params)), status_code=302)


@redirect_route(
    app,
    "/api/payment/dossiers/{dossier_id}/result",
    summary="Tải văn bản kết quả",
    target="liên kết tải có thời hạn ngắn",
    response_model=None,
    responses={
        200: {
            "description": "với `?format=json`: liên kết tải có thời hạn ngắn, để trang tự mở",
            "content": {"application/json": {"schema": ResultLink.model_json_schema()}},
        },
    },
)
def result(
    dossier_id: Annotated[str, DOSSIER],
    token: CitizenToken,
    answer_as: Annotated[
        Literal["redirect", "json"], Query(alias="format", description="redirect (302) hoặc json")
    ] = "redirect",
) -> RedirectResponse | JSONResponse:
    """A 302 for links followed directly; JSON for a page that fetched it with the token in a header and
    then opens the link itself (a browser following the 302 from a fetch would need the bucket's CORS)."""
    url = service.orders.result_link(dossier_id, token)
    headers = {"Cache-Control": "no-store"}
    if answer_as == "json":
        body = ResultLink(url=url, expires_in=RESULT_LINK_SECONDS).model_dump()
        return JSONResponse(body, headers=headers)
    return RedirectResponse(url, status_code=302, headers=headers)


@app.get("/api/payment/reconciliation/{day}", response_model=Report, summary="Báo cáo đối soát theo ngày")
def report(
    day: Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")],
    official: Annotated[Official, Depends(RequireRoles(Role.LEADER))],
) -> dict[str, Any]:
    return service.reconciliation.report(day, official.agency)


handler = lambda_handler(app)
