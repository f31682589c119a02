"""A member of a completed match downloads their certificate of hours through the browser."""

import pytest
from playwright.sync_api import expect

from accueil.matches import services as match_services
from accueil.matches.models import MatchStatus, Outcome
from accueil.matches.tests.factories import in_state
from e2e.screens_matches import cast, log

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_of_a_closed_match_downloads_the_certificate_of_hours(site):
    people = cast()
    match = in_state(MatchStatus.ACTIVE, people.coordinator, world=people.world())
    log(match, people.member, 10, participants=[people.lead, people.member])
    match_services.match_begin_closing(match=match, by=people.coordinator)
    match_services.match_close(match=match, by=people.coordinator, outcome=Outcome.COMPLETED)

    site.sign_in_session(people.member)
    site.goto(f"/my-matches/{match.pk}/closing/")
    link = site.page.locator(f"main a[href='/my-matches/{match.pk}/certificate.pdf']")
    expect(link).to_be_visible()
    with site.page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
