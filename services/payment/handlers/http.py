"""The payment service's HTTP function: `/api/payment` of API.md, and the gateway's callbacks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.core.auth import Official, Role
from services.core.errors import Unauthorized
from services.core.http import create_app, lambda_handler
from services.core.observability import logger
from services.core.officials import current_official
from services.payment.logic.vnpay import Rsp, answer
from services.payment.models.api import CreatePayment, IpnAnswer, Payment, Report
from services.payment.wiring import payments

service = payments()
app = create_app(
    prefix="/api/payment",
    title="Thanh toán trực tuyến và trả kết quả",
    description="Giao dịch phí, lệ phí qua cổng thanh toán (VNPay 2.1.0), IPN, đối soát, tải kết quả.",
    portal_origin=service.settings.portal_url,
)

bearer = HTTPBearer(
    auto_error=False, scheme_name="dossierToken", description="Mã truy cập hồ sơ (access_token)"
)
DOSSIER = Path(min_length=1, max_length=64)


def citizen_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Cần mã truy cập của hồ sơ (Authorization: Bearer <access_token>).")
    return credentials.credentials


Token = Annotated[str, Depends(citizen_token)]


@app.post(
    "/api/payment/payments", status_code=201, response_model=Payment, summary="Tạo giao dịch thanh toán"
)
def create_payment(body: CreatePayment, token: Token, request: Request) -> dict[str, Any]:
    address = request.client.host if request.client else "127.0.0.1"
    return service.create_order(body.dossier_id, token, address)


@app.get("/api/payment/payments/{payment_id}", response_model=Payment, summary="Trạng thái giao dịch")
def get_payment(
    payment_id: Annotated[str, Path(min_length=1, max_length=40)], token: Token
) -> dict[str, Any]:
    return service.order(payment_id, token)


@app.get("/api/payment/vnpay/ipn", response_model=IpnAnswer, summary="IPN của cổng thanh toán")
def ipn(request: Request) -> JSONResponse:
    params = dict(request.query_params)
    try:
        body = service.ipn(params)
    except Exception:  # the gateway must hear 99 (and retry), never a bare error page
        logger.exception("ipn failed", extra={"txn_ref": params.get("vnp_TxnRef")})
        body = answer(Rsp.UNKNOWN)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@app.get(
    "/api/payment/vnpay/return",
    status_code=302,
    response_class=RedirectResponse,
    summary="Trở về từ cổng thanh toán",
    responses={302: {"description": "về trang hồ sơ trên cổng"}},
)
def return_url(request: Request) -> RedirectResponse:
    return RedirectResponse(service.return_redirect(dict(request.query_params)), status_code=302)


@app.get(
    "/api/payment/dossiers/{dossier_id}/result",
    status_code=302,
    response_class=RedirectResponse,
    summary="Tải văn bản kết quả",
    responses={302: {"description": "liên kết tải có thời hạn ngắn"}},
)
def result(dossier_id: Annotated[str, DOSSIER], token: Token) -> RedirectResponse:
    return RedirectResponse(
        service.result_link(dossier_id, token), status_code=302, headers={"Cache-Control": "no-store"}
    )


@app.get("/api/payment/reconciliation/{day}", response_model=Report, summary="Báo cáo đối soát theo ngày")
def report(
    day: Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")],
    official: Annotated[Official, Depends(current_official)],
) -> dict[str, Any]:
    official.require(Role.LEADER)
    return service.report(day)


handler = lambda_handler(app)
