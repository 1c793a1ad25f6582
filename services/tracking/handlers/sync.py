"""The national-portal sync: status changes posted to the configured endpoint, retried until accepted.

A failed post raises, so SQS delivers the event again (and finally to the dead-letter queue, from which
`python -m infra redrive` replays it). Each dossier's sync state records what the portal last heard; an
older event arriving late is not sent over a newer one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from services.core import keys
from services.core.clock import iso, now
from services.core.consumer import event_consumer
from services.core.ddb import is_condition_failure
from services.core.events import Event
from services.core.observability import logger
from services.core.settings import load
from services.tracking.dal.store import TrackingStore
from services.tracking.logic.sync import is_newer, national_update
from services.tracking.settings import SyncSettings

settings = load(SyncSettings)
store = TrackingStore(settings.table_name, settings.uploads_bucket, settings.results_bucket)


class NationalPortalRefused(Exception):
    pass


def post(payload: dict) -> int:
    request = urllib.request.Request(
        settings.national_portal_url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.national_portal_timeout_seconds) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as err:
        raise NationalPortalRefused(f"national portal answered {err.code}") from err
    except (urllib.error.URLError, TimeoutError) as err:
        raise NationalPortalRefused(f"national portal unreachable: {err}") from err


def sync(event: Event) -> None:
    payload = national_update(event)
    if payload is None:
        return
    state = store.get(keys.dossier_part(event.dossier_id, "SYNC")) or {}
    if not is_newer(event, state.get("last_event_at")):
        return
    post(payload)
    try:
        store.update(
            keys.dossier_part(event.dossier_id, "SYNC"),
            {
                "last_event_at": event.occurred_at.isoformat(),
                "last_event_id": event.id,
                "last_status": payload["status"],
                "synced_at": iso(now()),
            },
            condition="attribute_not_exists(last_event_at) OR last_event_at < :at",
            condition_values={"at": event.occurred_at.isoformat()},
        )
    except ClientError as err:
        if not is_condition_failure(err):
            raise  # a newer status was recorded meanwhile: nothing to do
    logger.info("status synced", extra={"dossier_code": payload["dossier_code"], "status": payload["status"]})


handler = event_consumer("national-sync", sync)
