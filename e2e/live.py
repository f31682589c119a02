"""The live server seen from a browser: a Site per browser context, sign-in, TOTP codes, axe."""

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# UserFactory's password for everyone.
PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    """The live server seen from one browser context (one person on one device)."""

    context: BrowserContext
    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def set_language(self, language: str) -> None:
        """What a visitor's earlier choice in the language switcher leaves behind."""
        self.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base_url}]
        )

    def sign_in_session(self, user) -> None:
        """Start a signed-in session without the sign-in pages (the journeys test those)."""
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        self.take_over_session(client)

    def take_over_session(self, client: Client) -> None:
        """Continue in the browser what a Django test client started (a half-filled form)."""
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": self.base_url}]
        )

    def sign_in(self, user, *, password: str = PASSWORD, on_each_page=None) -> None:
        """Sign in through the real forms, with a TOTP code when the account has one.

        ``on_each_page(page)`` runs on each sign-in page before it is filled in (a journey
        checks accessibility there)."""
        page = self.page
        self.goto("/accounts/login/")
        if on_each_page:
            on_each_page(page)
        page.locator("main input[name=login]").fill(user.email)
        page.locator("main input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        if has_totp(user):
            expect(page).to_have_url(self.url("/accounts/2fa/authenticate/"))
            if on_each_page:
                on_each_page(page)
            page.locator("main input[name=code]").fill(totp_code(user))
            page.locator("form[action='/accounts/2fa/authenticate/'] button[type=submit]").click()
        # Where a person lands depends on their role; signed in, every page offers to sign out.
        expect(page.locator("form[action='/accounts/logout/'] button")).to_be_visible()
        expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa/authenticate)/"))

    def pass_reauthentication(self, path: str, *, password: str = PASSWORD) -> None:
        """Arrive at ``path``, typing the password again if allauth asks for it first (it
        does before any change to sign-in methods)."""
        page = self.page
        reauthenticate = self.url("/accounts/reauthenticate/")
        page.wait_for_url(lambda url: url.startswith((reauthenticate, self.url(path))))
        if page.url.startswith(reauthenticate):
            page.locator("main input[name=password]").fill(password)
            page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(self.url(path))

    def csp_errors(self) -> list[str]:
        return [error for error in self.console_errors if "Content Security Policy" in error]


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def totp_secret(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return get_mfa_adapter().decrypt(authenticator.data["secret"])


def code_for_secret(secret: str) -> str:
    """The code an authenticator app shows now.

    allauth accepts only the current 30-second window, so close to its end wait for the next
    one: the code must still be valid when the form reaches the server."""
    period = 30
    remaining = period - time.time() % period
    if remaining < 3:
        time.sleep(remaining + 0.2)
    counters = list(yield_hotp_counters_from_time())
    current = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, current))


def totp_code(user) -> str:
    return code_for_secret(totp_secret(user))


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core on the page as it is now; fail with each violation and where it is.

    The page's context must have been made with bypass_csp=True: the policy forbids the
    injected script, as it should."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run (cd e2e && npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"]:
                lines.append(f"    at {json.dumps(node['target'])}")
                lines.extend(f"      {line}" for line in node["failureSummary"].splitlines())
        pytest.fail("\n".join(lines), pytrace=False)
