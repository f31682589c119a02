"""Every page works under the strict Content-Security-Policy: no inline script or style.

These contexts enforce the policy (the accessibility tests bypass it to inject axe-core), and
Chromium reports each blocked script, style or image as a console error.
"""

import pytest

from e2e.screens import SCREENS

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_reports_a_violation_when_there_is_one(site):
    """The check below is only worth something if a blocked inline script is noticed."""
    response = site.goto("/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    # What an inline <script> in a template would do.
    site.page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true;";
            document.body.append(script);
        }"""
    )
    assert site.page.evaluate("() => window.inlineRan") is None
    assert site.csp_errors()


@pytest.mark.parametrize("name", list(SCREENS))
def test_it_breaks_no_rule_of_the_content_security_policy(site, name):
    SCREENS[name](site, "en")
    site.page.wait_for_load_state("load")
    assert site.csp_errors() == []
    assert site.page_errors == []
