"""The receipt-and-appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả), printable HTML.

It carries no script and no inline style: the portal's stylesheet dresses it, so it shows the same
whether opened from the API or inside the portal under its content security policy.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from services.core.errors import Conflict
from services.submission.models.api import DossierView

DELIVERY = {
    "online": "Nhận trực tuyến trên Cổng Dịch vụ công",
    "postal": "Nhận qua dịch vụ bưu chính",
    "in_person": "Nhận trực tiếp tại Bộ phận tiếp nhận và trả kết quả",
}


def long_date(moment: datetime) -> str:
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d} tháng {moment:%m} năm {moment:%Y}"


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def mask_id(number: str) -> str:
    return number[:3] + "*" * max(0, len(number) - 6) + number[-3:] if len(number) > 6 else number


def qr_svg(link: str) -> str:
    import segno

    return str(segno.make(link, error="m").svg_inline(scale=4, title="Mã QR tra cứu hồ sơ"))


def receipt(view: DossierView, portal_url: str, check_key: str) -> str:
    """The slip of a sent dossier, with the link and the check code that open its public record."""
    from services.core.lookup import check_code, tracking_link

    if not view.code:
        raise Conflict("Hồ sơ chưa được nộp nên chưa có giấy tiếp nhận.")
    link = tracking_link(portal_url, view.code, check_key)
    return render_receipt(view, link, portal_url, check_code(view.code, check_key))


def fee_line(view: DossierView) -> str:
    if not view.payment.amount_vnd:
        return "Không thu hoặc thu khi trả kết quả theo quy định"
    return money(view.payment.amount_vnd) + (
        " (nộp trực tuyến trước khi xử lý)" if view.payment.required else ""
    )


def document_rows(view: DossierView) -> str:
    """The verified files, each under the name of the document it answers."""
    documents = {d.component_id: d.name for d in view.documents}
    return "".join(
        f"<tr><td>{n}</td><td>{escape(documents.get(f.component_id, f.component_id))}</td>"
        f"<td>{escape(f.file_name)}</td></tr>"
        for n, f in enumerate((f for f in view.files if f.status == "VERIFIED"), start=1)
    )


def details(view: DossierView) -> str:
    """Who applied for what, when it was received and when the result is due."""
    assert view.received_at and view.expected_return_at
    applicant = view.applicant
    return f"""<dl>
<dt>Thủ tục</dt><dd>{escape(view.procedure_name)} ({escape(view.procedure_code)})</dd>
<dt>Người nộp</dt><dd>{escape(str(applicant.get("full_name", "")))}</dd>
<dt>Số định danh cá nhân</dt><dd>{escape(mask_id(str(applicant.get("id_number", ""))))}</dd>
<dt>Địa chỉ</dt><dd>{escape(str(applicant.get("address", "")))}</dd>
<dt>Hình thức nộp</dt><dd>Trực tuyến qua Cổng Dịch vụ công</dd>
<dt>Thời gian tiếp nhận</dt><dd>{long_date(view.received_at)}</dd>
<dt>Ngày hẹn trả kết quả</dt><dd><strong>{long_date(view.expected_return_at)}</strong></dd>
<dt>Hình thức nhận kết quả</dt><dd>{escape(DELIVERY.get(str(view.delivery.get("method")), ""))}</dd>
<dt>Phí, lệ phí</dt><dd>{escape(fee_line(view))}</dd>
</dl>"""


def qr_section(public_link: str, check: str) -> str:
    return f"""<section class="qr">
<figure>{qr_svg(public_link)}<figcaption>Quét mã để tra cứu tình trạng hồ sơ<br>
<a href="{escape(public_link)}">{escape(public_link)}</a>
<span class="check">Mã kiểm tra: <strong>{escape(check)}</strong></span>
<span class="check-note">Tra cứu bằng mã hồ sơ và mã kiểm tra để xem thông tin hồ sơ; chỉ đưa cho người
bạn cho phép.</span></figcaption></figure>
</section>"""


def render_receipt(view: DossierView, public_link: str, portal_url: str, check: str) -> str:
    """The slip; `public_link` (the QR code) and `check` unlock the dossier's public record."""
    assert view.code
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Giấy tiếp nhận hồ sơ {escape(view.code)}</title>
<link rel="stylesheet" href="{escape(portal_url.rstrip("/"))}/css/receipt.css">
</head>
<body class="receipt">
<main>
<header class="motto">
<p class="agency">{escape(view.agency["name"]).upper()}</p>
<p class="nation"><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong><br>
<strong>Độc lập - Tự do - Hạnh phúc</strong></p>
</header>
<h1>GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
<p class="code">Mã hồ sơ: <strong>{escape(view.code)}</strong></p>
{details(view)}
<h2>Giấy tờ đã nhận</h2>
<table>
<thead><tr><th scope="col">STT</th><th scope="col">Tên giấy tờ</th><th scope="col">Tệp</th></tr></thead>
<tbody>{document_rows(view)}</tbody>
</table>
{qr_section(public_link, check)}
<p class="note">Ngày hẹn trả kết quả được tính theo ngày làm việc, không kể ngày nghỉ, ngày lễ, Tết
và thời gian công dân bổ sung hồ sơ. Cơ quan sẽ thông báo nếu có thay đổi.</p>
</main>
</body>
</html>
"""
