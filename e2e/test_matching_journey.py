"""The acceptance journey of matching, in a real browser.

A coordinator (who signs in with an authenticator app) opens a waiting family's ranked groups,
reads why each group is there and why one cannot be proposed, and proposes the top group. Then
she runs the batch optimiser for the rest of the waiting list and accepts two proposals. axe-core
finds nothing on any page she saw.
"""

import pytest
from playwright.sync_api import expect

from accueil.matches.models import Match, MatchSource, MatchStatus
from e2e.live import Site, assert_no_axe_violations
from e2e.screens_matching import program_with_waitlist, waiting_family

pytestmark = pytest.mark.django_db(transaction=True)


def checked(site: Site) -> None:
    assert_no_axe_violations(site.page)
    assert site.page_errors == []


def test_a_coordinator_proposes_from_the_ranking_and_accepts_two_batch_proposals(new_site):
    program, cora, (parkdale, _danforth, _high_park), families = program_with_waitlist("en")
    amina = families[0]
    # A fourth family, so that the batch still has two proposals to accept after Amina's.
    waiting_family(
        program,
        cora,
        "Layla Nasser",
        days=10,
        languages=["ar", "en"],
        priorities=["socializing"],
        availability=["sat_morning"],
    )
    site = new_site(bypass_csp=True)
    site.sign_in(cora)  # password and a TOTP code
    page = site.page

    site.goto("/matching/")
    expect(page.locator("h1")).to_have_text("Matching")
    checked(site)
    page.get_by_role("link", name="Amina Haddad").first.click()

    # Ranked groups with their reasons; the group with one member is explained, not offered.
    expect(page.locator("h1")).to_contain_text("Amina")
    ranked = page.locator("#ranked ~ ol > li")
    expect(ranked.first).to_contain_text("Parkdale Welcome Group")
    expect(ranked.first).to_contain_text("Speaks Arabic with the family: +30")
    expect(ranked.first).to_contain_text("Can help with socializing and making friends")
    excluded = page.locator("#excluded ~ ul").first
    expect(excluded).to_contain_text("Leslieville Supper Club")
    expect(excluded).to_contain_text("Excluded: the group is not ready")
    checked(site)

    ranked.first.locator("button[type=submit]").click()
    expect(page.locator("#open-match")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Parkdale Welcome Group was proposed")
    checked(site)
    first = Match.objects.get(household=amina)
    assert first.group == parkdale
    assert first.status == MatchStatus.PROPOSED
    assert first.source == MatchSource.RANKING

    # The batch optimiser for everyone else on the waiting list.
    site.goto("/matching/")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("Batch proposals")
    checked(site)
    accept = page.locator("main button[type=submit]", has_text="Accept")
    assert accept.count() >= 2, "the batch should propose at least two matches"
    accept.first.click()
    expect(page.locator("main")).to_contain_text("Accepted")
    checked(site)
    page.locator("main button[type=submit]", has_text="Accept").first.click()
    checked(site)

    batch = Match.objects.filter(source=MatchSource.BATCH, status=MatchStatus.PROPOSED)
    assert batch.count() == 2
    assert Match.objects.filter(household=amina).count() == 1  # not proposed twice
    # No group took more households than it can.
    for match in batch.select_related("group"):
        assert Match.objects.filter(group=match.group).count() <= match.group.capacity
