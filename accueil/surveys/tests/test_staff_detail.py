"""/surveys/<pk>/: who and where the survey is, its history, the questionnaires and, once
completed, the scores and every answer in the staff member's language; sending the link again
and cancelling."""

from html import unescape

import pytest
from django.utils import translation

from accueil.accounts.models import Role
from accueil.factories import UserFactory
from accueil.matches.models import MatchStatus
from accueil.matches.tests.factories import in_state
from accueil.messaging.models import OutboxMessage
from accueil.newcomers.models import Household
from accueil.surveys.models import AdminStatus, Mode, Phase
from accueil.surveys.services import administration_enter

from .factories import household_survey

pytestmark = pytest.mark.django_db


def _url(survey) -> str:
    return f"/surveys/{survey.pk}/"


def _enter(survey, by, answers: dict[int, int], *, slug=None, **options):
    responses = {r.instrument.slug: r for r in survey.responses.select_related("instrument")}
    response = responses[slug] if slug else next(iter(responses.values()))
    options.setdefault("mode", Mode.INTERVIEW)
    options.setdefault("language", "ar")
    return administration_enter(survey, by=by, answers={response.pk: answers}, **options)


def test_an_open_survey_shows_where_it_stands_and_what_can_be_done(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration

    response = personas.client_for("coordinator").get(_url(survey))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Survey #{survey.pk}: household #{survey.household_id}, Before the match" in html
    assert survey.program.name in html
    assert "Arabic" in html  # the survey's language
    assert "by text message" in html
    assert "Link sent" in html
    assert "Support from the people in your life (SPS-10)" in html
    assert "The answers and scores show here once the survey is completed." in html
    assert f'href="/surveys/{survey.pk}/enter/"' in html
    assert f'href="/surveys/{survey.pk}/enter/?mode=paper"' in html
    assert f'action="/surveys/{survey.pk}/send/"' in html
    assert f'action="/surveys/{survey.pk}/cancel/"' in html
    assert "Send the link again" in html  # a link already went out
    assert f"Cora Coordinator viewed survey #{survey.pk}" in html  # the history


def test_a_completed_survey_shows_scores_and_answers_in_the_staff_language(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    # Nine answers of ten: the total is prorated (mean x 10), so it has decimals.
    _enter(
        survey,
        personas.coordinator,
        dict.fromkeys(range(1, 9), 3) | {9: 4},
        mode=Mode.INTERPRETER,
        interpreter_name="Yusuf Karimi",
    )

    html = personas.client_for("coordinator").get(_url(survey)).content.decode()

    assert "Completed" in html
    assert "On the phone, through an interpreter" in html
    assert "Yusuf Karimi" in html
    assert "Cora Coordinator" in html  # entered by
    assert "Total score" in html
    assert ">31.11<" in html  # (8 x 3 + 4) / 9 x 10
    assert "There are people I can count on when I really need help." in html
    assert "Strongly agree" in html and "Agree" in html
    assert "No answer" in html  # item 10
    assert f'href="/surveys/{survey.pk}/enter/"' not in html  # closed: no more actions
    assert "/cancel/" not in html


def test_a_french_speaking_coordinator_reads_the_questions_and_answers_in_french(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    _enter(survey, personas.coordinator, dict.fromkeys(range(1, 11), 4))
    personas.coordinator.language = "fr"
    personas.coordinator.save(update_fields=["language"])

    html = unescape(personas.client_for("coordinator").get(_url(survey)).content.decode())

    assert "Le soutien des personnes de votre vie (SPS-10)" in html
    assert "Tout à fait d'accord" in html
    assert ">40<" in html


def test_subscales_too_thin_to_score_say_so(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-24"]).administration
    _enter(survey, personas.coordinator, {1: 4, 2: 4})

    html = personas.client_for("coordinator").get(_url(survey)).content.decode()

    with translation.override("en"):
        spec = survey.responses.get().instrument.spec
        labels = [s.label_for("en") for s in spec.subscales]
    assert all(label in html for label in labels)
    assert html.count("Not scored: too few answers") == len(labels) + 1  # and the total


def test_the_match_and_the_volunteer_are_linked(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    survey = household_survey(
        personas.coordinator,
        household=Household.objects.get(pk=match.household_id),
        instruments=["sps-10"],
        phase=Phase.POST,
        match=match,
    ).administration

    html = personas.client_for("coordinator").get(_url(survey)).content.decode()

    assert f'href="/matches/{match.pk}/"' in html
    assert f'href="/households/{match.household_id}/"' in html


def test_sending_again_counts_a_reminder_and_says_how_it_went(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    client = personas.client_for("coordinator")

    response = client.post(f"/surveys/{survey.pk}/send/", follow=True)

    assert "The link is on its way by text message." in response.content.decode()
    survey.refresh_from_db()
    assert survey.reminders_sent == 1
    assert OutboxMessage.objects.filter(template="surveys.sms_reminder").count() == 1


def test_a_household_without_phone_or_email_is_to_be_called(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    Household.objects.filter(pk=survey.household_id).update(phone="", email="")

    response = personas.client_for("coordinator").post(f"/surveys/{survey.pk}/send/", follow=True)

    html = response.content.decode()
    assert "No phone number or email address is recorded: call the household" in html


def test_sending_a_closed_survey_is_refused_with_a_message(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    _enter(survey, personas.coordinator, {1: 2})

    response = personas.client_for("coordinator").post(f"/surveys/{survey.pk}/send/", follow=True)

    assert "This survey is closed: it cannot be sent." in response.content.decode()


def test_cancelling_needs_a_reason_and_then_closes_the_survey(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    client = personas.client_for("coordinator")

    refused = client.post(f"/surveys/{survey.pk}/cancel/", {"reason": "  "})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "<title>Error:" in html
    assert 'href="#cancel-reason"' in html
    assert "Say why the survey is cancelled." in html

    done = client.post(f"/surveys/{survey.pk}/cancel/", {"reason": "The family moved away"})
    assert done.status_code == 302
    survey.refresh_from_db()
    assert survey.status == AdminStatus.CANCELLED
    assert "Its link no longer works." in client.get(_url(survey)).content.decode()


def test_a_manager_sees_every_programs_surveys(personas):
    someone = UserFactory(role=Role.COORDINATOR)
    survey = household_survey(someone, instruments=["sps-10"]).administration
    assert personas.client_for("manager").get(_url(survey)).status_code == 200
