"""The household answers a proposal itself, through the link staff text to it.

The group has said yes. The coordinator sends the household the link from the match page; the
text message waits in the outbox, in Arabic. The household opens it on a phone 360 px wide:
the page is in Arabic, right to left, and names the group. It says yes and gets the thank-you
page; both sides have now accepted. Opening the link again, or a link that never existed, gives
the plain "no longer valid" page with nothing about the match. axe-core finds nothing on any of
these pages, and none of them scrolls sideways.
"""

import re

import pytest
from playwright.sync_api import expect

from accueil.matches import services as match_services
from accueil.matches.models import HouseholdAnswer, HouseholdAnswerLink, MatchStatus
from accueil.matches.models.answer_link import hash_token
from accueil.matches.services_answer_link import answer_link_send
from accueil.messaging.models import Channel, OutboxMessage
from e2e.live import Site, assert_no_axe_violations
from e2e.screens_matches import proposed_match

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}
LINK = re.compile(r"https?://\S+?(/m/[A-Za-z0-9_-]+/)")


def checked(site: Site) -> None:
    assert_no_axe_violations(site.page)
    width = site.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= site.page.viewport_size["width"] + 1, f"{site.page.url} is {width}px wide"
    assert site.page_errors == []


def in_arabic(site: Site) -> None:
    html = site.page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")


def test_the_household_accepts_through_the_texted_link(new_site):
    people, match = proposed_match("en")
    match_services.match_accept_for_group(match=match, by=people.lead)
    group = people.group.name

    # The coordinator texts the household the link from the match page.
    staff = new_site(bypass_csp=True)
    staff.sign_in_session(people.coordinator)
    staff.goto(f"/matches/{match.pk}/")
    task = staff.page.locator("#action-household_answer")
    task.locator("button", has_text="Send the household a link by text message").click()
    expect(staff.page).to_have_url(staff.url(f"/matches/{match.pk}/#action-household_answer"))
    expect(staff.page.locator("main .notices")).to_contain_text(
        "The household will get the link by text message."
    )
    expect(staff.page.locator("#answer-link-state")).to_contain_text("Not answered yet.")
    checked(staff)

    # The text message, in the household's language, carries the only copy of the token.
    sms = OutboxMessage.objects.get(channel=Channel.SMS, template="matches.answer_link")
    assert sms.to_address == people.household.phone
    assert sms.language == "ar"
    path = LINK.search(sms.body_text).group(1)
    token = path.split("/")[2]
    assert HouseholdAnswerLink.objects.filter(token_hash=hash_token(token), match=match).exists()
    assert not HouseholdAnswerLink.objects.filter(token_hash=token).exists()

    # The household opens it on its phone: Arabic, right to left, no sign-in.
    phone = new_site(viewport=PHONE, bypass_csp=True)
    response = phone.goto(path)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "same-origin"
    assert "noindex" in response.headers["x-robots-tag"]
    assert "no-store" in response.headers["cache-control"]
    in_arabic(phone)
    expect(phone.page.locator("main")).to_contain_text(group)
    expect(phone.page.locator("nav.site-nav")).to_have_count(0)
    yes = phone.page.locator("main button[name=answer][value=yes]")
    expect(yes).to_be_visible()
    expect(phone.page.locator("main button[name=answer][value=no]")).to_be_visible()
    checked(phone)

    # It says yes: thanks, and the match is accepted by both sides.
    yes.click()
    expect(phone.page.locator("main .apply-panel h1")).to_be_visible()
    expect(phone.page.locator("main")).to_contain_text(group)
    in_arabic(phone)
    checked(phone)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED
    assert match.household_answer_how == HouseholdAnswer.SMS_LINK
    assert match.household_answer_recorded_by is None
    email = OutboxMessage.objects.get(template="matches.answer_link_answered")
    assert email.to_address == people.coordinator.email
    assert people.household.head_name not in email.body_text

    # The coordinator's page says how the household answered.
    staff.page.reload()
    expect(staff.page.locator("main .lede .tag")).to_have_text("Accepted by both sides")
    expect(staff.page.locator("#answer-link-state")).to_contain_text("The household said yes")
    checked(staff)

    # The link works once: opening it again gives the plain page, still in Arabic.
    response = phone.goto(path)
    assert response.status == 404
    in_arabic(phone)
    expect(phone.page.locator("main h1")).to_be_visible()
    expect(phone.page.locator("main")).not_to_contain_text(group)
    expect(phone.page.locator("main form")).to_have_count(0)
    checked(phone)

    # A link that never existed: the same page, in the language this browser chose.
    stranger = new_site(viewport=PHONE, bypass_csp=True)
    stranger.set_language("en")
    response = stranger.goto("/m/not-a-real-token/")
    assert response.status == 404
    expect(stranger.page.locator("main")).to_contain_text(
        "This link is no longer valid. Your coordinator can send you a new one."
    )
    checked(stranger)
    assert OutboxMessage.objects.filter(template="matches.answer_link_answered").count() == 1


def test_the_household_declines_with_a_reason(new_site):
    people, match = proposed_match("en")
    link = answer_link_send(match=match, by=people.coordinator)

    phone = new_site(viewport=PHONE, bypass_csp=True)
    phone.set_language("en")
    phone.goto(f"/m/{link.token}/")
    phone.page.locator("main button[name=answer][value=no]").click()
    reason = phone.page.locator("main textarea[name=reason]")
    expect(reason).to_be_visible()
    checked(phone)
    # Back goes to the question; nothing was recorded.
    phone.page.locator("main a.back-link").click()
    expect(phone.page.locator("main button[name=answer][value=yes]")).to_be_visible()
    phone.page.locator("main button[name=answer][value=no]").click()
    phone.page.locator("main textarea[name=reason]").fill("We are moving to Ottawa next month.")
    phone.page.locator("main form button[type=submit]").click()
    expect(phone.page.locator("main")).to_contain_text("You said no, not now.")
    checked(phone)
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert match.declined_by == "household"
    assert match.reason == "We are moving to Ottawa next month."
