"""The respondent's pages at /s/<token>/: one question per screen in the administration's
language, answers saved as they are given, resuming, the review and the submission; and a link
that opens nothing (unknown, used, expired, cancelled, misshapen) telling nothing at all."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, UserFactory
from accueil.surveys import interface
from accueil.surveys.models import Administration, AdminStatus, Answer, Mode, Response

from .factories import household_survey, volunteer_survey

pytestmark = pytest.mark.django_db

PROGRAM = "Welcome Groups for refugee claimants"
PROGRAM_SHORT = "Welcome Groups Toronto"  # what the pages show
# ucla-3 (3 items, 1-3) then program-items (5 items, 1-4): eight questions.
SHORT = ["ucla-3", "program-items"]


def _survey(languages=("en",), instruments=None, program=None):
    program = program or ProgramFactory(name=PROGRAM, short_name=PROGRAM_SHORT)
    return household_survey(program=program, languages=languages, instruments=instruments or SHORT)


def _question(sent, q: int) -> str:
    return f"{sent.url}?q={q}"


def _answers(administration) -> dict[tuple[str, int], int | None]:
    return {
        (answer.response.instrument.slug, answer.item): answer.value
        for answer in Answer.objects.filter(response__administration=administration)
        .select_related("response__instrument")
        .order_by("response__position", "item")
    }


def _post(client, sent, q, **data):
    return client.post(sent.url, {"q": str(q), "action": "next", **data})


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def _assert_invalid(response):
    assert response.status_code == 404
    page = response.content.decode()
    assert interface.text("invalid_title", "en") in page
    assert PROGRAM not in page and PROGRAM_SHORT not in page
    assert "<form" not in page
    for instrument_word in ("UCLA", "community", "Question"):
        assert instrument_word not in page


# -- the walk -------------------------------------------------------------------------------


def test_it_opens_on_an_introduction_that_starts_at_the_first_question(client):
    sent = _survey()
    response = client.get(sent.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert interface.text("intro_household", "en") in page
    assert interface.text("saved", "en") in page
    assert f'href="{_question(sent, 1)}"' in page
    assert interface.text("start", "en") in page
    assert PROGRAM_SHORT in page  # the respondent knows who is asking


def test_it_shows_one_question_with_its_answers_progress_and_instrument_title(client):
    sent = _survey()
    page = client.get(_question(sent, 1)).content.decode()
    assert "Question 1 of 8" in page
    assert '<progress max="8" value="1"' in page
    assert "Feeling alone (UCLA-3)" in page  # the first question of an instrument
    assert "Hardly ever" in page and "Some of the time" in page
    assert page.count('type="radio" name="answer"') == 3
    assert 'value="next"' in page and 'value="skip"' in page
    # Back from the first question is the introduction.
    assert f'class="back-link" href="{sent.url}"' in page
    # The instrument's title is shown where it changes, not on every question.
    assert "Feeling alone (UCLA-3)" not in client.get(_question(sent, 2)).content.decode()
    assert "Life in your community" in client.get(_question(sent, 4)).content.decode()


def test_it_saves_an_answer_and_resumes_at_the_next_unanswered_question(client):
    sent = _survey()
    response = _post(client, sent, 1, answer="2")
    assert response.status_code == 302
    assert response["Location"] == _question(sent, 2)
    assert _answers(sent.administration) == {("ucla-3", 1): 2}
    sent.administration.refresh_from_db()
    assert sent.administration.status == AdminStatus.STARTED

    # Coming back later with the same link: the introduction offers to continue at question 2.
    page = Client().get(sent.url).content.decode()
    assert interface.text("resume", "en") in page
    assert f'href="{_question(sent, 2)}"' in page
    assert "Question 2 of 8" in Client().get(_question(sent, 2)).content.decode()


def test_back_shows_the_saved_answer_checked(client):
    sent = _survey()
    _post(client, sent, 1, answer="3")
    page = client.get(_question(sent, 2)).content.decode()
    assert f'class="back-link" href="{_question(sent, 1)}"' in page
    page = client.get(_question(sent, 1)).content.decode()
    assert 'value="3" checked' in page
    assert page.count(" checked") == 1
    # Changing it replaces the answer.
    _post(client, sent, 1, answer="1")
    assert _answers(sent.administration) == {("ucla-3", 1): 1}


def test_skipping_saves_no_value_and_moves_on(client):
    sent = _survey()
    response = client.post(sent.url, {"q": "1", "action": "skip", "answer": "2"})
    assert response["Location"] == _question(sent, 2)
    assert _answers(sent.administration) == {("ucla-3", 1): None}
    # A skipped question counts as reached: the link resumes after it.
    assert f'href="{_question(sent, 2)}"' in client.get(sent.url).content.decode()


def test_next_without_an_answer_keeps_the_page_and_says_why(client):
    sent = _survey()
    response = _post(client, sent, 2)
    assert response.status_code == 400
    page = response.content.decode()
    message = interface.text("choose_answer", "en")
    assert f'<p id="answer-error" class="error" role="alert" data-error>{message}</p>' in page
    assert 'aria-describedby="answer-error"' in page
    assert f"<title>{message} – Question 2 of 8" in page
    assert "Question 2 of 8" in page
    assert _answers(sent.administration) == {}


@pytest.mark.parametrize("value", ["4", "0", "-1", "abc", "2.5", ""])
def test_an_answer_off_the_scale_is_refused_and_earlier_answers_stay(client, value):
    sent = _survey()
    _post(client, sent, 1, answer="2")
    response = _post(client, sent, 2, answer=value)  # ucla-3 answers are 1 to 3
    assert response.status_code == 400
    assert _answers(sent.administration) == {("ucla-3", 1): 2}


@pytest.mark.parametrize("q", ["0", "9", "99999", "-1", "x", "1.0", "", "²", "1e3"])
def test_a_question_out_of_range_is_refused_and_nothing_changes(client, q):
    sent = _survey()
    _post(client, sent, 1, answer="2")
    response = client.post(sent.url, {"q": q, "action": "next", "answer": "1"})
    assert response.status_code == 400
    assert _answers(sent.administration) == {("ucla-3", 1): 2}
    response = client.post(sent.url, {"action": "skip"})  # no index at all
    assert response.status_code == 400
    assert _answers(sent.administration) == {("ucla-3", 1): 2}


def test_a_question_out_of_range_in_the_address_goes_back_to_the_introduction(client):
    sent = _survey()
    for q in ("0", "9", "x", "", "²"):
        response = client.get(f"{sent.url}?q={q}")
        assert response.status_code == 302
        assert response["Location"] == sent.url


def test_a_free_text_question_is_a_textarea_and_may_be_left_empty(client):
    sent = _survey(instruments=["match-satisfaction"])
    page = client.get(_question(sent, 4)).content.decode()
    assert '<textarea id="answer-text" name="text"' in page
    assert interface.text("type_answer", "en") in page
    response = _post(client, sent, 4, text="  The group helped us find a school.  ")
    assert response["Location"] == f"/s/{sent.token}/review/"
    answer = Answer.objects.get(response__administration=sent.administration, item=4)
    assert (answer.value, answer.text) == (None, "The group helped us find a school.")
    assert "The group helped us find a school." in client.get(_question(sent, 4)).content.decode()
    _post(client, sent, 4, text="")
    assert Answer.objects.get(pk=answer.pk).text == ""


# -- review and submission ------------------------------------------------------------------


def test_the_last_answer_leads_to_the_review_and_sending_scores_and_closes_the_link(client):
    sent = _survey()
    for q in range(1, 9):
        response = (
            _post(client, sent, q, answer="2")
            if q != 5
            else client.post(sent.url, {"q": "5", "action": "skip"})
        )
    review = f"/s/{sent.token}/review/"
    assert response["Location"] == review
    # With everything reached, the introduction continues at the review.
    assert f'href="{review}"' in client.get(sent.url).content.decode()

    page = client.get(review).content.decode()
    assert interface.text("review_title", "en") in page
    assert interface.text("review_body", "en", answered=7, total=8) in page
    assert f'class="back-link" href="{_question(sent, 8)}"' in page

    response = client.post(review)
    assert response.status_code == 302
    assert response["Location"] == "/s/done/?lang=en"
    administration = Administration.objects.get(pk=sent.administration.pk)
    assert administration.status == AdminStatus.SUBMITTED
    assert administration.mode == Mode.LINK
    scores = {r.instrument.slug: r.scores for r in administration.responses.all()}
    assert all(value is not None for value in scores.values())
    assert scores["ucla-3"]["total"] == 6

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert interface.text("thanks_title", "en") in thanks.content.decode()

    # The link is used: every page of it is the invalid page now, and sending twice fails.
    _assert_invalid(client.get(sent.url))
    _assert_invalid(client.get(_question(sent, 1)))
    _assert_invalid(client.post(sent.url, {"q": "1", "action": "next", "answer": "1"}))
    # Sending again a moment later (a second tap) thanks the person again and changes nothing.
    assert "/s/done/" in client.post(review)["Location"]
    assert Administration.objects.get(pk=administration.pk).submitted_at == (
        administration.submitted_at
    )


def test_the_thanks_page_speaks_the_language_it_is_given_and_needs_no_token(client):
    page = client.get("/s/done/?lang=fa")
    assert page.status_code == 200
    assert 'lang="fa" dir="rtl"' in _html_tag(page)
    assert interface.text("thanks_body", "fa") in page.content.decode()
    assert 'lang="en" dir="ltr"' in _html_tag(client.get("/s/done/?lang=xx"))


# -- links that open nothing ----------------------------------------------------------------


def test_an_expired_link_opens_nothing(client):
    sent = _survey()
    Administration.objects.filter(pk=sent.administration.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    _assert_invalid(client.get(sent.url))
    _assert_invalid(client.get(_question(sent, 1)))
    _assert_invalid(_post(client, sent, 1, answer="1"))
    _assert_invalid(client.get(f"/s/{sent.token}/review/"))
    assert _answers(sent.administration) == {}


def test_a_cancelled_link_opens_nothing(client):
    sent = _survey()
    Administration.objects.filter(pk=sent.administration.pk).update(status=AdminStatus.CANCELLED)
    _assert_invalid(client.get(sent.url))
    _assert_invalid(_post(client, sent, 1, answer="1"))
    _assert_invalid(client.post(f"/s/{sent.token}/review/"))
    assert _answers(sent.administration) == {}


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # the right shape, but no such link
        "short",
        "x" * 101,
        "has.dots.in.it.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "%27%3B--aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ],
)
def test_an_unknown_or_misshapen_link_opens_nothing(client, token):
    _survey()  # some survey exists
    _assert_invalid(client.get(f"/s/{token}/"))
    _assert_invalid(client.get(f"/s/{token}/?q=1"))
    _assert_invalid(client.get(f"/s/{token}/review/"))


def test_a_link_only_ever_touches_its_own_answers(client):
    mine = _survey()
    other = _survey(program=mine.administration.program)
    other_response = other.administration.responses.first()
    _post(client, other, 1, answer="3")
    before = _answers(other.administration)

    # My link, with the other survey's ids slipped into the form: they are not read.
    client.post(
        mine.url,
        {
            "q": "1",
            "action": "next",
            "answer": "1",
            "response": str(other_response.pk),
            "administration": str(other.administration.pk),
        },
    )
    client.post(mine.url, {"q": "2", "action": "skip", "response": str(other_response.pk)})
    client.post(f"/s/{mine.token}/review/", {"administration": str(other.administration.pk)})

    assert _answers(other.administration) == before
    other.administration.refresh_from_db()
    assert other.administration.status == AdminStatus.STARTED
    assert Response.objects.get(pk=other_response.pk).scores is None
    assert _answers(mine.administration) == {("ucla-3", 1): 1, ("ucla-3", 2): None}


def test_the_invalid_page_adds_the_visitors_language_when_it_is_a_respondent_language(client):
    sent = _survey()
    Administration.objects.filter(pk=sent.administration.pk).update(status=AdminStatus.EXPIRED)
    page = client.get(sent.url, HTTP_ACCEPT_LANGUAGE="fa-IR,fa;q=0.9,en;q=0.5")
    _assert_invalid(page)
    assert 'lang="fa" dir="rtl"' in _html_tag(page)
    assert interface.text("invalid_title", "fa") in page.content.decode()
    assert 'lang="en" dir="ltr"' in page.content.decode()  # the English part, marked

    dari = client.get(sent.url, HTTP_ACCEPT_LANGUAGE="fa-AF")
    assert interface.text("invalid_body", "prs") in dari.content.decode()

    # A language chosen in the site's switcher counts as the visitor's.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ti"
    tigrinya = client.get(sent.url, HTTP_ACCEPT_LANGUAGE="fa")
    assert 'lang="ti" dir="ltr"' in _html_tag(tigrinya)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    german = client.get(sent.url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    _assert_invalid(german)
    assert 'lang="en" dir="ltr"' in _html_tag(german)
    assert interface.text("invalid_title", "fa") not in german.content.decode()


# -- languages ------------------------------------------------------------------------------


def test_an_arabic_survey_is_right_to_left_in_arabic(client):
    sent = _survey(languages=("ar",))
    for url in (sent.url, _question(sent, 1), f"/s/{sent.token}/review/"):
        response = client.get(url)
        assert 'lang="ar" dir="rtl"' in _html_tag(response)
        assert response["Content-Language"] == "ar"
    page = client.get(_question(sent, 1)).content.decode()
    assert "السؤال 1 من 8" in page
    assert "نادرًا جدًا" in page  # "hardly ever", from the instrument
    assert interface.text("next", "ar") in page


def test_a_farsi_and_a_dari_survey_are_right_to_left(client):
    farsi = _survey(languages=("fa",))
    assert 'lang="fa" dir="rtl"' in _html_tag(client.get(_question(farsi, 1)))
    dari = _survey(languages=("prs",))
    response = client.get(_question(dari, 1))
    assert 'lang="prs" dir="rtl"' in _html_tag(response)
    assert "تقریباً هیچ وقت" in response.content.decode()


def test_a_tigrinya_survey_is_left_to_right_in_tigrinya(client):
    sent = _survey(languages=("ti",))
    response = client.get(_question(sent, 1))
    assert 'lang="ti" dir="ltr"' in _html_tag(response)
    page = response.content.decode()
    assert "ሕቶ 1 ካብ 8" in page
    assert "ኣዝዩ ሳሕቲ" in page
    assert interface.text("skip", "ti") in page


def test_wording_an_instrument_lacks_is_shown_in_english_and_marked_so(client):
    # volunteer-prepost is written in English and French only.
    sent = _survey(languages=("ar",), instruments=["volunteer-prepost"])
    page = client.get(_question(sent, 1)).content.decode()
    assert re.search(r'<h1 data-read lang="en" dir="ltr">', page)
    assert 'lang="ar" dir="rtl"' in page  # the page itself stays Arabic


# -- headers, CSRF, queries -----------------------------------------------------------------


def test_every_page_is_kept_out_of_caches_logs_and_search_engines(client):
    sent = _survey()
    responses = [
        client.get(sent.url),
        client.get(_question(sent, 1)),
        _post(client, sent, 1, answer="1"),  # the redirect too
        _post(client, sent, 2),  # an error
        client.get(f"/s/{sent.token}/review/"),
        client.get("/s/done/?lang=en"),
        client.get("/s/" + "A" * 43 + "/"),
    ]
    for response in responses:
        assert response["Cache-Control"] == "no-store"
        # Not "no-referrer": with it browsers post "Origin: null", which CSRF refuses.
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Robots-Tag"] == "noindex"


def test_posting_needs_the_csrf_token(client):
    sent = _survey()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(sent.url, {"q": "1", "action": "next", "answer": "1"})
    assert response.status_code == 403
    assert _answers(sent.administration) == {}
    page = strict.get(_question(sent, 1)).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post(
        sent.url, {"q": "1", "action": "next", "answer": "1", "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_a_question_page_runs_a_few_queries_whatever_the_survey_size(client):
    small = _survey(instruments=["ucla-3"])
    large = _survey(instruments=["sps-24", "ucla-3", "program-items", "match-satisfaction"])
    for q in range(1, 30):
        _post(client, large, q, answer="2")
    assert _queries(client, _question(small, 2)) <= 3
    assert _queries(client, _question(large, 30)) == _queries(client, _question(small, 2))
    assert _queries(client, f"/s/{large.token}/review/") <= 3


def test_a_volunteer_is_introduced_as_a_volunteer_in_their_language(client):
    person = UserFactory(role=Role.VOLUNTEER, language="fr", email="val@example.org")
    sent = volunteer_survey(person, program=ProgramFactory(name=PROGRAM, short_name=PROGRAM_SHORT))
    page = client.get(sent.url)
    assert 'lang="fr" dir="ltr"' in _html_tag(page)
    assert escape(interface.text("intro_volunteer", "fr")) in page.content.decode()


def test_the_pages_carry_no_inline_script_or_style_and_no_images(client):
    sent = _survey()
    _post(client, sent, 1)  # with an error on it
    for url in (sent.url, _question(sent, 1), f"/s/{sent.token}/review/", "/s/done/"):
        page = client.get(url).content.decode()
        assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
        assert " style=" not in page and "<style" not in page
        assert "<img" not in page and " on" + "click=" not in page


def test_a_volunteer_says_on_the_last_page_whether_research_may_use_the_answers(client):
    from accueil.accounts.models import Role
    from accueil.factories import ProgramFactory, UserFactory

    from .factories import volunteer_survey

    for ticked, expected in ((True, True), (False, False)):
        person = UserFactory(role=Role.VOLUNTEER, language="en")
        sent = volunteer_survey(person, program=ProgramFactory())
        review = client.get(f"/s/{sent.token}/review/")
        assert 'name="research_consent"' in review.content.decode()
        data = {"research_consent": "yes"} if ticked else {}
        client.post(f"/s/{sent.token}/review/", data)
        sent.administration.refresh_from_db()
        assert sent.administration.research_consent is expected


def test_a_household_is_not_asked_for_research_consent_on_the_link(client, personas):
    from .factories import household_survey

    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    review = client.get(f"/s/{sent.token}/review/")
    assert 'name="research_consent"' not in review.content.decode()
    client.post(f"/s/{sent.token}/review/", {"research_consent": "yes"})
    sent.administration.refresh_from_db()
    assert sent.administration.research_consent is False  # no research consent on record


def test_a_second_tap_on_send_thanks_the_person_again(client, personas):
    from .factories import household_survey

    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    first = client.post(f"/s/{sent.token}/review/")
    second = client.post(f"/s/{sent.token}/review/")
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert "/s/done/" in second["Location"]
    assert client.get(f"/s/{sent.token}/review/").status_code == 404  # a later visit: invalid


def test_a_required_question_left_unanswered_is_asked_before_sending(client, personas):
    from accueil.surveys.definitions import Instrument as Spec
    from accueil.surveys.models import Instrument
    from accueil.surveys.services_instruments import instrument_store

    from .factories import household_survey

    data = Instrument.objects.get(slug="ucla-3", is_current=True).spec.to_dict()
    data["slug"], data["version"] = "ucla-3-required", "1"
    data["items"][1]["required"] = True
    instrument_store(Spec.from_dict(data), source="xlsform")
    sent = household_survey(personas.coordinator, instruments=["ucla-3-required"])
    sending = client.post(f"/s/{sent.token}/review/")
    assert sending.status_code == 302
    assert sending["Location"].endswith("?q=2")
    sent.administration.refresh_from_db()
    assert sent.administration.is_open
