"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Nothing is downloaded at test time: the browser is /usr/bin/chromium and axe-core comes from
e2e/node_modules (``cd e2e && npm ci``). Each test gets fresh browser contexts, so cookies and
storage never leak between tests; the browser process itself is shared by the whole session.
Tests need ``@pytest.mark.django_db(transaction=True)``: the live server runs in another
thread and sees only committed data.
"""

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from accueil.accounts.models import Role
from accueil.factories import UserFactory
from e2e.live import Site

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
VIEWPORT = {"width": 1280, "height": 800}

# How long any single wait may take before a test fails: a page of this app renders in well
# under a second, so a long default would only make a broken test slow to report.
TIMEOUT_MS = 10_000


def pytest_configure(config):
    # Playwright's sync API keeps an event loop in the test thread, and Django refuses ORM calls
    # from such a thread. The loop only waits on the browser, so the calls are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fresh_cache(transactional_db):
    """Rate limits and used TOTP codes live in the cache, which the database flush keeps."""
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded documents and training handouts go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def new_site(browser, live_server):
    """Make a fresh browser context: a second person, a second device, another viewport."""
    contexts: list[BrowserContext] = []

    def make(**context_options) -> Site:
        options = {"viewport": VIEWPORT, "locale": "en-CA", **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return Site(context=context, page=context.new_page(), base_url=live_server.url)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def site(new_site) -> Site:
    return new_site()


@pytest.fixture
def page(site):
    return site.page


@pytest.fixture
def axe_site(new_site) -> Site:
    """A context that ignores the Content-Security-Policy, so axe-core can be injected.

    Only for accessibility checks: test_csp.py loads every page with the policy enforced."""
    return new_site(bypass_csp=True)


# People. UserFactory gives staff an authenticator app (TOTP) unless mfa=False is passed.


@pytest.fixture
def admin(transactional_db):
    return UserFactory(role=Role.ADMIN, full_name="Ada Admin", email="admin@example.org")


@pytest.fixture
def coordinator(transactional_db):
    return UserFactory(
        role=Role.COORDINATOR, full_name="Cora Coordinator", email="coordinator@example.org"
    )


@pytest.fixture
def volunteer(transactional_db):
    return UserFactory(
        role=Role.VOLUNTEER, full_name="Val Volunteer", email="volunteer@example.org"
    )
