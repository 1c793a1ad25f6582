"""Loading the seed catalogue: the national-format package through the same import as POST /import."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from infra.seed.generate import build_package, load_structure, real_procedures
from infra.seed.templates import form_templates
from services.catalog.dal.catalog import CatalogStore
from services.catalog.logic.catalog import import_package
from services.catalog.logic.tthc import Structure
from services.core.dal.structure import put_structure
from services.core.procedures import Procedure
from services.core.text import safe_file_name


@dataclass
class SeedReport:
    imported: int
    updated: int
    rejected: int
    templates: int
    seconds: float
    templates_uploaded: int = 0
    templates_done: threading.Event = field(default_factory=threading.Event, repr=False)


def seed_catalogue(table: str, forms_bucket: str, workers: int = 8, background: bool = False) -> SeedReport:
    """Structure, procedures and search snapshot, then the form templates.

    With `background`, only the twenty real procedures' templates are stored before returning; the
    others follow on a thread (each costs one PutObject, and 1,500 of them take the emulator seconds).
    """
    started = time.perf_counter()
    structure = load_structure()
    put_structure(table, structure)
    package = build_package()
    store = CatalogStore(table, forms_bucket)
    result = import_package(
        package, Structure.from_config(structure), store, live=None, whole_catalogue=True, importer=None
    )
    real = {r["MaTTHC"] for r in real_procedures()}
    first = [r for r in package if r["MaTTHC"] in real]
    rest = [r for r in package if r["MaTTHC"] not in real]
    report = SeedReport(result.imported, result.updated, len(result.rejected), 0, 0.0)
    upload = _uploader(store, result.procedures, report)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(upload, form_templates(first)))

    def remaining() -> None:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(upload, form_templates(rest)))
        report.templates_done.set()

    report.templates = sum(1 for p in result.procedures for _ in p.forms)
    if background:
        threading.Thread(target=remaining, name="seed-templates", daemon=True).start()
    else:
        remaining()
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _uploader(store: CatalogStore, procedures: list[Procedure], report: SeedReport):  # type: ignore[no-untyped-def]
    forms = {(p.code, f.file_name): f for p in procedures for f in p.forms}
    lock = threading.Lock()

    def upload(item: tuple[str, str, bytes]) -> None:
        code, file_name, body = item
        form = forms.get((code, safe_file_name(file_name)))
        if form is not None:
            store.put_template(code, form.id, form.file_name, body, form.content_type)
            with lock:
                report.templates_uploaded += 1

    return upload
