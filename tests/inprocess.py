"""One in-process AWS (moto) per test session, provisioned like the local cloud, shared by every suite.

The handlers read their settings once per process, so every suite that calls them in-process must see
the same table and buckets: the first to ask provisions, later ones get the same cloud.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from infra.cloud import LocalCloud

_active: list[LocalCloud] = []


@contextmanager
def in_process_cloud() -> Iterator[LocalCloud]:
    if _active:
        yield _active[0]
        return
    from moto import mock_aws

    from infra.cloud import LocalOptions
    from infra.motofix import harden_dynamodb
    from services.core.dal import aws

    os.environ.pop("AWS_ENDPOINT_URL", None)
    harden_dynamodb()
    with mock_aws():
        aws.reset()
        local = LocalCloud(LocalOptions.from_env({}))
        local.provision()
        _active.append(local)
        try:
            yield local
        finally:
            _active.clear()
    aws.reset()
