"""Security tests: the HTTP functions as Lambda runs them, against real data in the in-process cloud."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.cloud import LocalCloud
from tests.inprocess import in_process_cloud
from tests.security.world import World, install


@pytest.fixture(scope="session")
def cloud() -> Iterator[LocalCloud]:
    with in_process_cloud() as local:
        yield local


@pytest.fixture(scope="session")
def world(cloud: LocalCloud) -> World:
    return install(cloud).prepare()
