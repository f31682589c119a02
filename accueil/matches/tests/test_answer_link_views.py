"""The answer link's pages: the staff button (who may press it, what the match page shows) and
the household's public page (its language and direction, its headers, yes, no with a reason,
and the one plain page for a link that no longer works)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accueil.conftest import STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.matches import services
from accueil.matches import services_answer_link as links
from accueil.matches.models import HouseholdAnswer, HouseholdAnswerLink, MatchStatus
from accueil.messaging.models import OutboxMessage

from .factories import lead_of, proposed

pytestmark = pytest.mark.django_db

INVALID_TEXT = "This link is no longer valid. Your coordinator can send you a new one."


@pytest.fixture
def match(personas):
    return proposed(personas.coordinator)


@pytest.fixture
def link(match, personas):
    return links.answer_link_send(match=match, by=personas.coordinator)


def url(link_or_token) -> str:
    token = getattr(link_or_token, "token", link_or_token)
    return reverse("answer_link", args=[token])


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def english() -> Client:
    """A browser whose visitor chose English in the switcher: the page's words can be checked
    whatever the translations say. Pages in the household's language are checked by their
    markup."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_private(response):
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


def accepted_count(match) -> int:
    return AuditEntry.objects.for_record(match).filter(code="match.household_accepted").count()


# -- the staff button -------------------------------------------------------------------------


def test_only_staff_of_the_program_may_send_a_link(personas, match):
    send_url = reverse("answer_link_send", args=[match.pk])
    assert_personas(personas, send_url, STAFF, method="post", ok=(302,))
    assert HouseholdAnswerLink.objects.filter(match=match).count() == len(STAFF)
    # A coordinator of another program: 404, and no link.
    personas.coordinator.programs.clear()
    assert personas.client_for("coordinator").post(send_url).status_code == 404
    assert HouseholdAnswerLink.objects.filter(match=match).count() == len(STAFF)
    # The group lead (a volunteer of the match): 404 as well.
    client = Client()
    client.force_login(lead_of(match.group))
    assert client.post(send_url).status_code == 404
    assert client.get(send_url).status_code == 405


def test_the_match_page_offers_the_link_and_shows_the_last_one(personas, match):
    client = personas.client_for("coordinator")
    detail = reverse("match_detail", args=[match.pk])
    page = client.get(detail).content.decode()
    assert "Send the household a link by text message" in page
    assert "Link sent by text message" not in page

    response = client.post(reverse("answer_link_send", args=[match.pk]))
    assert response.status_code == 302
    assert response["Location"] == detail + "#action-household_answer"
    page = client.get(detail).content.decode()
    assert "The household will get the link by text message." in page
    assert "Not answered yet. Works until" in page
    assert "Sending a new link stops the last one from working." in page


def test_the_match_page_shows_the_answer_given_through_the_link(personas, match, link):
    links.answer_link_answer(token=link.token, accepted=True)
    page = personas.client_for("coordinator").get(reverse("match_detail", args=[match.pk]))
    page = page.content.decode()
    assert "The household said yes on" in page
    assert "Through the link sent by text message" in page
    assert "Send the household a link by text message" not in page


def test_a_refused_send_says_why(personas, match):
    match.household.phone = ""
    match.household.save(update_fields=["phone"])
    client = personas.client_for("coordinator")
    page = client.get(reverse("match_detail", args=[match.pk])).content.decode()
    assert "The household has no phone number on record" in page
    response = client.post(reverse("answer_link_send", args=[match.pk]), follow=True)
    assert "The household has no phone number to send a text message to." in (
        response.content.decode()
    )
    assert not HouseholdAnswerLink.objects.exists()


# -- the household's page ---------------------------------------------------------------------


def test_the_page_shows_the_proposal_in_the_households_language(link, match):
    response = Client().get(url(link))

    assert response.status_code == 200
    assert 'lang="ar"' in html_tag(response) and 'dir="rtl"' in html_tag(response)
    assert response["Content-Language"] == "ar"
    page = response.content.decode()
    assert match.program.name in page
    assert match.group.name in page
    assert '<button type="submit" name="answer" value="yes"' in page
    assert '<button type="submit" name="answer" value="no"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    # No staff navigation, and nothing private about the household.
    assert "Caseload" not in page
    assert match.household.head_name not in page
    assert match.household.phone not in page
    assert_private(response)


def test_an_english_speaking_household_gets_a_left_to_right_page(personas):
    match = proposed(personas.coordinator)
    match.household.languages = ["en"]
    match.household.interpreter_needed = False
    match.household.save(update_fields=["languages", "interpreter_needed"])
    link = links.answer_link_send(match=match, by=personas.coordinator)

    response = Client().get(url(link))

    assert 'lang="en"' in html_tag(response) and 'dir="ltr"' in html_tag(response)
    assert "An interpreter" not in response.content.decode()


def test_a_language_chosen_in_the_switcher_wins(link):
    response = english().get(url(link))
    assert 'lang="en"' in html_tag(response) and 'dir="ltr"' in html_tag(response)
    page = response.content.decode()
    assert "Yes, I accept" in page and "No, not now" in page
    assert "An interpreter is there to help you" in page


def test_yes_records_the_answer_once_and_thanks(link, match):
    services.match_accept_for_group(match=match, by=lead_of(match.group))
    client = english()

    response = client.post(url(link), {"answer": "yes"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you for your answer" in page and "You said yes." in page
    assert_private(response)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED
    assert match.household_answer_how == HouseholdAnswer.SMS_LINK
    assert match.household_answer_recorded_by is None

    # A second submit (a double tap, the back button) finds a link that no longer works.
    again = client.post(url(link), {"answer": "yes"})
    assert again.status_code == 404
    assert INVALID_TEXT in again.content.decode()
    assert client.get(url(link)).status_code == 404
    assert accepted_count(match) == 1
    assert OutboxMessage.objects.filter(template="matches.answer_link_answered").count() == 1


def test_no_asks_why_then_declines_with_the_reason(link, match):
    client = english()

    step = client.post(url(link), {"answer": "no"})

    assert step.status_code == 200
    page = step.content.decode()
    assert "Can you tell us why?" in page and "(optional)" in page
    assert 'name="step" value="reason"' in page
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED  # nothing recorded yet

    done = client.post(
        url(link), {"answer": "no", "step": "reason", "reason": "We are moving to Ottawa."}
    )
    assert done.status_code == 200
    assert "You said no, not now." in done.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert match.declined_by == "household"
    assert match.reason == "We are moving to Ottawa."


def test_no_without_a_reason_records_the_default(link, match):
    response = Client().post(url(link), {"answer": "no", "step": "reason", "reason": ""})
    assert response.status_code == 200
    match.refresh_from_db()
    assert match.reason == "Declined through the text-message link (no reason given)."


def test_a_reason_too_long_comes_back_with_the_error(link, match):
    response = english().post(url(link), {"answer": "no", "step": "reason", "reason": "x" * 2001})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Write 2000 characters or fewer." in page
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED


def test_an_unknown_answer_shows_the_question_again(link, match):
    response = english().post(url(link), {"answer": "maybe"})
    assert response.status_code == 200
    assert "Yes, I accept" in response.content.decode()
    match.refresh_from_db()
    assert match.household_accepted_at is None


def _expired(link):
    HouseholdAnswerLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


def _revoked(link):
    links.answer_link_send(match=link.match, by=link.created_by)


def _used(link):
    links.answer_link_answer(token=link.token, accepted=True)


def _withdrawn(link):
    services.match_withdraw(match=link.match, by=link.created_by, reason="Family moved")


@pytest.mark.parametrize("spoil", [_expired, _revoked, _used, _withdrawn])
def test_a_link_that_no_longer_works_gets_one_plain_page(link, match, spoil):
    spoil(link)
    responses = [
        Client().get(url(link)),
        Client().post(url(link), {"answer": "no"}),
        english().get(url(link)),
    ]
    for response in responses:
        assert response.status_code == 404
        page = response.content.decode()
        assert match.group.name not in page
        assert match.program.name not in page
        assert_private(response)
    # In the household's language (the link's), or the one this browser chose.
    assert 'lang="ar"' in html_tag(responses[0]) and 'dir="rtl"' in html_tag(responses[0])
    assert INVALID_TEXT in responses[2].content.decode()


def test_an_unknown_token_gets_the_same_page(link, match):
    for token in ("not-a-real-token", link.token[:-1] + "x"):
        response = english().get(url(token))
        assert response.status_code == 404
        page = response.content.decode()
        assert INVALID_TEXT in page
        assert match.group.name not in page
        assert_private(response)


def test_the_form_keeps_its_csrf_protection(link, match):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(link), {"answer": "yes"}).status_code == 403
    page = client.get(url(link)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(url(link), {"answer": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    match.refresh_from_db()
    assert match.household_accepted_at is not None
