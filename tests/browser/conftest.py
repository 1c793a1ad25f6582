"""One Chromium for the browser tests, a fresh context per test, a screenshot of every page a failing
test had open (test-artifacts/screenshots/<test>.png)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.audit import Audit, write_report
from tests.conftest import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="package")
def browser(stack: Any) -> Iterator[Any]:
    """Package-scoped, not session-scoped: Playwright's sync API keeps an asyncio loop running in this thread
    while it lives, and the in-process Lambda handlers of the tests after these (Mangum runs each request on
    the thread's loop) would meet "This event loop is already running"."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package", autouse=True)
def audit_report() -> Iterator[None]:
    """test-artifacts/accessibility-audit.json: every page state the browser tests audited."""
    yield
    write_report()


@pytest.fixture
def audit() -> Iterator[Audit]:
    """The accessibility audit a journey runs at each step; every state it found wrong fails the test."""
    found = Audit()
    yield found
    found.assert_clean()


@pytest.fixture
def contexts(browser: Any, stack: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory of browser contexts (a citizen's, an official's), all closed after the test."""
    opened: list[Any] = []
    # what the pages must never print: a script or style blocked by the CSP, a label without a translation
    broken: list[str] = []

    def watch(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "i18n: missing key" in text:
            broken.append(f"{message.page.url if message.page else ''}: {text}")

    def new_context(width: int = 1280, height: int = 900, **options: Any) -> Any:
        context = browser.new_context(
            base_url=stack.url,
            viewport={"width": width, "height": height},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(15_000)
        context.on("console", watch)
        opened.append(context)
        return context

    yield new_context
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shots = [page for context in opened for page in context.pages]
        for n, page in enumerate(shots):
            suffix = "" if n == 0 else f"-{n + 1}"
            with contextlib.suppress(Exception):  # a crashed page still lets the others be saved
                page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}{suffix}.png"), full_page=True)
    for context in opened:
        context.close()
    assert not broken, "\n".join(broken)


@pytest.fixture
def page(contexts: Any) -> Any:
    return contexts().new_page()


@pytest.fixture(scope="session")
def api(stack: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=20) as client:
        yield client
