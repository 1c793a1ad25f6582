"""Domain errors and their RFC 9457 problem details.

Logic raises these; one exception handler per app (core.http) turns them into
`application/problem+json` answers. `detail` is a sentence a citizen understands, in Vietnamese.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """A problem an API answers with. Its status, code and title belong to its class, given where the
    class is declared (`class NotFound(Problem, status=404, code="not_found", title=...)`), so the
    problems below read as one table; the detail belongs to the place that raises it."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Yêu cầu không hợp lệ"

    def __init_subclass__(cls, *, status: int = 0, code: str = "", title: str = "", **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.status = status or cls.status
        cls.code = code or cls.code
        cls.title = title or cls.title

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return problem_body(self.status, self.code, self.title, self.detail, self.errors, **self.extra)


def problem_body(
    status: int, code: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:dichvucong:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return body


class BadRequest(Problem): ...


class Unauthorized(Problem, status=401, code="unauthorized", title="Chưa xác thực"):
    def __init__(self, detail: str = "Bạn cần đăng nhập hoặc cung cấp mã truy cập hợp lệ.", **kw: Any):
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="dichvucong"'})
        super().__init__(detail, **kw)


class Forbidden(Problem, status=403, code="forbidden", title="Không có quyền"): ...


class NotFound(Problem, status=404, code="not_found", title="Không tìm thấy"): ...


class Conflict(Problem, status=409, code="conflict", title="Xung đột trạng thái"): ...


class VersionConflict(Conflict, code="version_conflict", title="Hồ sơ đã được người khác cập nhật"): ...


class NotOnline(Conflict, code="not_online", title="Thủ tục không hỗ trợ nộp trực tuyến"): ...


class PayloadTooLarge(Problem, status=413, code="payload_too_large", title="Dữ liệu gửi lên quá lớn"): ...


class UnsupportedMediaType(
    Problem, status=415, code="unsupported_media_type", title="Định dạng không được hỗ trợ"
): ...


class ValidationFailed(Problem, status=422, code="validation_failed", title="Dữ liệu chưa hợp lệ"): ...


class IllegalTransition(
    Problem, status=422, code="illegal_transition", title="Thao tác không hợp lệ ở trạng thái hiện tại"
): ...


class Gone(Problem, status=410, code="gone", title="Không còn hiệu lực"): ...


class ServiceUnavailable(Problem, status=503, code="unavailable", title="Dịch vụ tạm thời gián đoạn"): ...
