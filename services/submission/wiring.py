"""The submission service assembled from its settings: one per container, shared by its functions."""

from functools import cache

from services.core.dal.calendar_config import working_calendar
from services.core.settings import load
from services.submission.dal.dossiers import DossierStore
from services.submission.logic.dossiers import Submission
from services.submission.settings import SubmissionSettings


@cache
def submission() -> Submission:
    settings = load(SubmissionSettings)
    return Submission(
        DossierStore(settings.table_name, settings.uploads_bucket),
        settings,
        lambda: working_calendar(settings.table_name),
    )
