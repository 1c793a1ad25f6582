"""The submission service assembled from its settings: one per container, shared by its functions."""

from functools import cache

from services.core.dal.calendar_config import working_calendar
from services.core.dal.dossiers import DynamoDossierRepository
from services.core.settings import load
from services.submission.dal.dossiers import DossierStore
from services.submission.dal.uploads import UploadsBucket
from services.submission.logic.service import Submission
from services.submission.settings import SubmissionSettings


@cache
def submission() -> Submission:
    settings = load(SubmissionSettings)
    store = DossierStore(settings.table_name)
    return Submission(
        dossiers=DynamoDossierRepository(settings.table_name),
        procedures=store,
        sequences=store,
        objects=UploadsBucket(settings.uploads_bucket),
        verdicts=store,
        settings=settings,
        calendar=lambda: working_calendar(settings.table_name),
    )
