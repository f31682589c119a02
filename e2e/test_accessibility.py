"""axe-core on every page, in English and in Arabic (right to left), and small-screen layout.

Each screen (screens.py) opens one page in the state a person meets it in; the test then runs
axe-core with the WCAG 2.2 A and AA rules and wants no violation at all.
"""

import pytest
from playwright.sync_api import expect

from e2e.live import assert_no_axe_violations
from e2e.screens import SCREENS

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(SCREENS))
def test_it_has_no_accessibility_violations(axe_site, name, language):
    axe_site.set_language(language)
    SCREENS[name](axe_site, language)
    html = axe_site.page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    assert_no_axe_violations(axe_site.page)


# 320 CSS pixels is WCAG's reflow width (1280 pixels zoomed to 400%).
NARROW = {"width": 320, "height": 640}
NARROW_SCREENS = [
    "sign in",
    "home, staff",
    "home, volunteer",
    "people",
    "invitations",
    "person",
    # Volunteers: the pages people fill in or read on a phone, and the widest staff pages.
    # The rest of the volunteers pages are left out to keep the suite within minutes.
    "volunteer application, start",
    "volunteer application, languages, errors",
    "volunteer application, availability",
    "volunteer application, check answers",
    "reference form",
    "volunteer, what's next",
    "volunteer, my application",
    "training",
    "training quiz, not passed",
    "Welcome Group, for a member",
    "volunteers pipeline, filtered",
    "volunteer, for staff",
    "screening step, references",
    "Welcome Group, for staff",
    # Matching: the widest pages (reasons beside each candidate, the proposals table).
    "matching: groups for a household",
    "matching: batch proposals",
    # Matches: the pages the group uses on a phone, and the coordinator's caseload.
    "matches: activity form",
    "matches: report an incident (member)",
    "matches: check-in form (member)",
    "matches: members' page, accepted",
    "matches: caseload",
    "matches: answer link (household)",
    # Surveys: the respondent's pages are phone-first; the staff entry page is the widest.
    "survey link: question",
    "survey link: question, no answer chosen",
    "survey link: review",
    "survey link: link no longer valid",
    "surveys: enter answers",
    "surveys report: impact report",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NARROW_SCREENS)
def test_it_fits_a_narrow_screen_without_sideways_scrolling(new_site, name, language):
    site = new_site(viewport=NARROW, bypass_csp=True)
    site.set_language(language)
    SCREENS[name](site, language)
    # Wide tables may scroll inside their own .table-wrap; the page itself must not.
    scroll_width = site.page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= NARROW["width"] + 1, f"{name} is {scroll_width}px wide at 320px"
    # A table that scrolls sideways must be reachable with the keyboard, and so on.
    assert_no_axe_violations(site.page)
