"""The citizen's documents: a presigned upload per file, and deleting one while the dossier is open.

The file's item and META's `file_count` change together, so the count caps the uploads of a dossier
even when requests race; the verifier (logic/verify.py) judges the bytes once they are stored.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.core import keys
from services.core.clock import iso_ms
from services.core.dossier import Above, Below, DossierChange, In, PartConflict, PartWrite, StaleDossier
from services.core.dossiers import FileStatus, Status
from services.core.errors import Conflict, NotFound, Problem, ValidationFailed
from services.core.repository import DossierRepository
from services.core.text import safe_file_name
from services.submission.logic.access import authorized
from services.submission.logic.drafts import epoch
from services.submission.logic.ports import Clock, Objects
from services.submission.models.api import ALLOWED_TYPES, FileRequest, FileUpload
from services.submission.settings import SubmissionSettings

OPEN_FOR_FILES = (Status.DRAFT.value, Status.SUPPLEMENT_REQUESTED.value)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
UPLOAD_PREFIX = "dossiers"


def object_key(dossier_id: str, file_id: str, extension: str) -> str:
    return f"{UPLOAD_PREFIX}/{dossier_id}/{file_id}{extension}"


def located(key: str) -> tuple[str, str] | None:
    """The dossier and file an object key names, or None for a key this service never hands out."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != UPLOAD_PREFIX:
        return None
    return parts[1], parts[2].split(".", 1)[0]


def check_request(body: FileRequest, components: set[str], max_bytes: int) -> None:
    errors = []
    if body.component_id not in components:
        errors.append({"field": "component_id", "message": "Thành phần hồ sơ không thuộc thủ tục này."})
    if body.content_type not in ALLOWED_TYPES:
        errors.append({"field": "content_type", "message": "Chỉ nhận tệp PDF, JPEG hoặc PNG."})
    if body.size > max_bytes:
        errors.append({"field": "size", "message": f"Tệp lớn hơn giới hạn {max_bytes // (1024 * 1024)} MB."})
    if errors:
        raise ValidationFailed("Không thể nhận tệp này.", errors=errors)


def request_upload(
    dossier_id: str,
    token: str,
    body: FileRequest,
    dossiers: DossierRepository,
    objects: Objects,
    settings: SubmissionSettings,
    clock: Clock,
) -> FileUpload:
    record = authorized(dossiers, dossier_id, token)  # whole: the documents asked for are in CONTENT
    if record.status not in OPEN_FOR_FILES:
        raise Conflict("Hồ sơ đã nộp; chỉ tải thêm giấy tờ được khi cơ quan yêu cầu bổ sung.")
    check_request(body, {d["component_id"] for d in record.documents}, settings.max_upload_bytes)
    moment = clock()
    file_id = uuid.uuid4().hex
    key = object_key(dossier_id, file_id, EXTENSIONS[body.content_type])
    expires = record.meta.get("expires_at") or epoch(moment + timedelta(days=settings.draft_ttl_days))
    item = {
        "file_id": file_id,
        "component_id": body.component_id,
        "file_name": safe_file_name(body.file_name),
        "content_type": body.content_type,
        "declared_size": body.size,
        "key": key,
        "status": FileStatus.PENDING.value,
        "created_at": iso_ms(moment),
        "supplement": record.status == Status.SUPPLEMENT_REQUESTED,
        "expires_at": expires,
    }
    cap = settings.max_files_per_dossier
    change = DossierChange(
        dossier_id,
        add={"file_count": 1},
        conditions=[In("status", OPEN_FOR_FILES), Below("file_count", cap)],
        parts=[PartWrite(sk=f"{keys.FILE_PREFIX}{file_id}", item=item, must_be_new=True)],
    )
    try:
        dossiers.commit(change)
    except StaleDossier as err:
        raise refused_upload(dossiers, dossier_id, cap) from err
    post = objects.presigned_post(key, body.content_type, body.size, settings.upload_link_seconds)
    return FileUpload.model_validate(
        {"file_id": file_id, "upload": post, "expires_in": settings.upload_link_seconds}
    )


def refused_upload(dossiers: DossierRepository, dossier_id: str, cap: int) -> Problem:
    """Why a file was not added: the dossier was sent meanwhile, or it has as many files as allowed."""
    latest = dossiers.load(dossier_id, whole=False)
    if latest is None or latest.status not in OPEN_FOR_FILES:
        return Conflict("Hồ sơ vừa được nộp; không tải thêm giấy tờ được nữa.")
    return ValidationFailed(
        "Hồ sơ đã có quá nhiều tệp.",
        errors=[{"field": "file", "message": f"Mỗi hồ sơ có tối đa {cap} tệp; hãy xóa bớt tệp không cần."}],
    )


def delete_file(
    dossier_id: str, token: str, file_id: str, dossiers: DossierRepository, objects: Objects
) -> None:
    record = authorized(dossiers, dossier_id, token)
    if record.status not in OPEN_FOR_FILES:
        raise Conflict("Hồ sơ đã nộp nên không xóa được giấy tờ.")
    found = record.file(file_id) if len(file_id) <= 64 else None
    if found is None:
        raise NotFound("Không tìm thấy tệp.")
    if record.status == Status.SUPPLEMENT_REQUESTED and not found.supplement:
        raise Conflict("Giấy tờ đã nộp trước khi có yêu cầu bổ sung thì không xóa được.")
    change = DossierChange(
        dossier_id,
        add={"file_count": -1},
        conditions=[In("status", OPEN_FOR_FILES), Above("file_count", 0)],
        parts=[PartWrite(sk=f"{keys.FILE_PREFIX}{file_id}", delete=True, must_exist=True)],
    )
    try:
        dossiers.commit(change)
    except (StaleDossier, PartConflict) as err:
        raise Conflict("Hồ sơ vừa thay đổi; vui lòng tải lại trang.") from err
    objects.purge(str(found["key"]))
