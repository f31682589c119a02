"""Administrations: the automatic schedule, the link, answers, submission, staff entry, the
sweep (expiry and reminders once each) and the instruments kept in step with their files."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, UserFactory
from accueil.messaging.models import OutboxMessage
from accueil.newcomers.models import ConsentPurpose
from accueil.surveys import services
from accueil.surveys.models import (
    Administration,
    AdminStatus,
    Answer,
    Instrument,
    Mode,
    Phase,
)
from accueil.surveys.services_instruments import instruments_sync
from accueil.surveys.services_sweep import sweep

from .factories import household_survey

pytestmark = pytest.mark.django_db


def _slugs(administration):
    return [r.instrument.slug for r in administration.responses.select_related("instrument")]


def test_the_household_plan_gives_one_response_per_instrument_once_per_slot(personas):
    sent = household_survey(personas.coordinator)
    administration = sent.administration
    assert _slugs(administration) == ["sps-24", "ucla-3", "program-items"]
    again = services.administration_schedule(
        program=administration.program, phase=Phase.PRE, household=administration.household
    )
    assert again.pk == administration.pk
    assert Administration.objects.count() == 1


def test_the_link_goes_by_text_in_the_household_language_and_only_its_hash_is_searchable(
    personas,
):
    sent = household_survey(personas.coordinator, languages=("ar", "en"))
    administration = sent.administration
    assert administration.status == AdminStatus.SENT
    assert administration.channel == "sms"
    assert administration.token_hash != sent.token and len(administration.token_hash) == 64
    message = OutboxMessage.objects.get(template="surveys.sms_pre")
    assert message.language == "ar"
    assert f"/s/{sent.token}/" in message.body_text
    assert "حوالي 10 دقائق" in message.body_text
    assert services.administration_for_token(sent.token).pk == administration.pk


def test_a_household_speaking_no_survey_language_answers_in_english(personas):
    sent = household_survey(personas.coordinator, languages=("so",))
    assert sent.administration.language == "en"


def test_a_household_without_phone_or_email_waits_for_a_call(personas):
    sent = household_survey(personas.coordinator)
    household = sent.administration.household
    administration = services.administration_schedule(
        program=household.program, phase=Phase.POST, household=household, automatic=False
    )
    household.phone = ""
    household.email = ""
    household.save()
    administration.household.refresh_from_db()
    assert services.administration_send(administration) == ""
    administration.refresh_from_db()
    assert administration.status == AdminStatus.PENDING


@pytest.mark.parametrize("how", ["expired", "submitted", "cancelled", "unknown", "malformed"])
def test_a_link_that_cannot_be_used_opens_nothing(personas, how):
    sent = household_survey(personas.coordinator)
    administration = sent.administration
    token = sent.token
    if how == "expired":
        administration.expires_at = timezone.now() - timedelta(seconds=1)
        administration.save()
    elif how == "submitted":
        services.administration_submit(administration)
    elif how == "cancelled":
        services.administration_cancel(administration, by=personas.coordinator, reason="Moved")
    elif how == "unknown":
        token = "x" * 43
    else:
        token = "../" * 40
    assert services.administration_for_token(token) is None


def test_answers_are_checked_against_the_scale_and_submission_scores_them(personas):
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    administration = sent.administration
    response = administration.responses.get()
    with pytest.raises(ValidationError):
        services.answer_record(administration, response=response, item=1, value=4)
    with pytest.raises(ValidationError):
        services.answer_record(administration, response=response, item=99, value=1)
    for item, value in ((1, 3), (2, 2), (3, 3)):
        services.answer_record(administration, response=response, item=item, value=value)
    administration.refresh_from_db()
    assert administration.status == AdminStatus.STARTED
    services.administration_submit(administration)
    response.refresh_from_db()
    administration.refresh_from_db()
    assert response.scores["total"] == 8
    assert administration.status == AdminStatus.SUBMITTED
    assert administration.mode == Mode.LINK
    assert administration.token == ""
    with pytest.raises(ValidationError):
        services.administration_submit(administration)
    with pytest.raises(PermissionDenied):
        services.answer_record(administration, response=response, item=1, value=1)


def test_research_consent_is_read_from_the_household_at_submission(personas):
    from accueil.newcomers.models import Consent

    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    household = sent.administration.household
    Consent.objects.create(
        household=household,
        purpose=ConsentPurpose.RESEARCH,
        given=True,
        version="1",
        language="ar",
        method="verbal",
        obtained_at=timezone.now(),
    )
    services.administration_submit(sent.administration)
    sent.administration.refresh_from_db()
    assert sent.administration.research_consent is True


def test_staff_enter_a_phone_survey_through_an_interpreter(personas):
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    administration = sent.administration
    response = administration.responses.get()
    answers = {response.pk: {1: 1, 2: 2, 3: None}}
    with pytest.raises(ValidationError):
        services.administration_enter(
            administration,
            by=personas.coordinator,
            answers=answers,
            mode=Mode.INTERPRETER,
            language="ar",
        )
    with pytest.raises(PermissionDenied):
        services.administration_enter(
            administration, by=personas.volunteer, answers=answers, mode=Mode.PAPER, language="ar"
        )
    services.administration_enter(
        administration,
        by=personas.coordinator,
        answers=answers,
        mode=Mode.INTERPRETER,
        language="ar",
        interpreter=personas.interpreter,
    )
    administration.refresh_from_db()
    response.refresh_from_db()
    assert administration.mode == Mode.INTERPRETER
    assert administration.interviewer == personas.coordinator
    assert administration.interpreter == personas.interpreter
    assert response.scores["total"] is None  # UCLA-3 needs all three answers
    assert Answer.objects.filter(response=response).count() == 3


def test_the_interpreter_named_on_a_survey_may_enter_it_and_no_other(personas):
    first = household_survey(personas.coordinator, instruments=["ucla-3"]).administration
    other = household_survey(personas.coordinator, instruments=["ucla-3"]).administration
    first.interpreter = personas.interpreter
    first.save()
    personas.interpreter.programs.add(first.program)
    assert services.can_enter(personas.interpreter, first)
    assert not services.can_enter(personas.interpreter, other)
    assert not services.can_enter(personas.outsider, first)


def test_a_coordinator_of_another_program_cannot_enter_or_cancel(personas):
    sent = household_survey(instruments=["ucla-3"])
    assert not services.can_enter(personas.coordinator, sent.administration)
    with pytest.raises(PermissionDenied):
        services.administration_cancel(sent.administration, by=personas.coordinator, reason="x")


def test_the_sweep_reminds_twice_at_most_once_each_and_expires_old_links(personas):
    sent = household_survey(personas.coordinator)
    administration = sent.administration
    start = administration.sent_at.replace(hour=15)  # 15:00 UTC: daytime in Toronto
    for day in range(0, 40):
        now = start + timedelta(days=day)
        sweep(now)
        sweep(now)  # a second scheduler in the same tick
    reminders = OutboxMessage.objects.filter(template="surveys.sms_reminder")
    assert reminders.count() == 2
    administration.refresh_from_db()
    assert administration.reminders_sent == 2
    assert administration.status == AdminStatus.EXPIRED
    assert services.administration_for_token(sent.token) is None


def test_the_sweep_sends_no_reminder_at_night(personas):
    sent = household_survey(personas.coordinator)
    night = sent.administration.sent_at.replace(hour=5) + timedelta(days=5)  # 00:00-01:00 Toronto
    assert sweep(night)["reminded"] == 0


def test_instruments_sync_is_idempotent_and_refuses_a_silent_change_with_answers(personas):
    before = Instrument.objects.count()
    instruments_sync()
    assert Instrument.objects.count() == before
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    response = sent.administration.responses.get()
    services.answer_record(sent.administration, response=response, item=1, value=1)
    from accueil.surveys.definitions import shipped_by_slug
    from accueil.surveys.services_instruments import instrument_store

    spec = shipped_by_slug("ucla-3")
    changed = spec.from_dict({**spec.to_dict(), "title": {**spec.title, "en": "Changed"}})
    with pytest.raises(ValueError, match="new version"):
        instrument_store(changed, source="shipped")


def test_the_waitlist_schedules_the_household_pre_survey(
    personas, django_capture_on_commit_callbacks
):
    from accueil.newcomers.services.households import household_waitlist
    from accueil.newcomers.tests._households import make_household, make_ready

    household = make_household()
    personas.coordinator.programs.add(household.program)
    make_ready(household, by=personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        household_waitlist(household=household, by=personas.coordinator)
    administration = Administration.objects.get(household=household)
    assert administration.phase == Phase.PRE
    assert administration.status == AdminStatus.SENT


def test_closing_a_match_schedules_post_surveys_for_both_sides(
    personas, django_capture_on_commit_callbacks
):
    from accueil.matches.models import MatchStatus, Outcome
    from accueil.matches.services import match_close
    from accueil.matches.tests.factories import in_state

    match = in_state(MatchStatus.CLOSING, personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        match_close(match=match, by=personas.coordinator, outcome=Outcome.COMPLETED)
    posts = Administration.objects.filter(phase=Phase.POST, match=match)
    household_posts = posts.filter(household=match.household)
    assert household_posts.count() == 1
    assert "match-satisfaction" in _slugs(household_posts.get())
    volunteers = match.group.memberships.filter(left_at__isnull=True, user__role=Role.VOLUNTEER)
    assert posts.filter(person__isnull=False).count() == volunteers.count() > 0


def test_a_volunteer_survey_goes_by_email_in_their_language(personas):
    from .factories import volunteer_survey

    person = UserFactory(role=Role.VOLUNTEER, language="fr", email="v@example.org")
    sent = volunteer_survey(person, program=ProgramFactory())
    message = OutboxMessage.objects.get(template="surveys.sms_pre")
    assert message.channel == "email"
    assert message.language == "fr"
    assert f"/s/{sent.token}/" in message.body_text


def test_naming_an_interpreter_lets_them_enter_that_survey_and_tells_them(personas):
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    administration = sent.administration
    personas.interpreter.programs.add(administration.program)
    assert not services.can_enter(personas.interpreter, administration)
    with pytest.raises(PermissionDenied):
        services.administration_assign_interpreter(
            administration, by=personas.volunteer, interpreter=personas.interpreter
        )
    with pytest.raises(ValidationError):
        services.administration_assign_interpreter(
            administration, by=personas.coordinator, interpreter=personas.volunteer
        )
    services.administration_assign_interpreter(
        administration, by=personas.coordinator, interpreter=personas.interpreter
    )
    administration.refresh_from_db()
    assert services.can_enter(personas.interpreter, administration)
    message = OutboxMessage.objects.get(template="surveys.interpreter_named")
    assert message.recipient == personas.interpreter
    assert f"/surveys/{administration.pk}/enter/" in message.body_text
    assert "Amina" not in message.body_text
    response = administration.responses.get()
    services.administration_enter(
        administration,
        by=personas.interpreter,
        answers={response.pk: {1: 2, 2: 2, 3: 2}},
        mode=Mode.INTERPRETER,
        language="ar",
    )
    administration.refresh_from_db()
    assert administration.interpreter == personas.interpreter
    assert administration.interviewer is None


def _with_a_number_item() -> Instrument:
    from accueil.surveys.definitions import Instrument as Spec
    from accueil.surveys.models import InstrumentSource
    from accueil.surveys.services_instruments import instrument_store

    words = {"en": "Months in Canada?", "fr": "Mois au Canada ?"}
    spec = Spec.from_dict(
        {
            "slug": "months-here",
            "version": "1",
            "audience": "household",
            "title": {"en": "Months", "fr": "Mois"},
            "description": {"en": "One question.", "fr": "Une question."},
            "languages": ["en", "fr"],
            "items": [{"number": 1, "key": "months", "kind": "integer", "text": words}],
        }
    )
    return instrument_store(spec, source=InstrumentSource.XLSFORM)


@pytest.mark.parametrize("value", [40000, -40000])
def test_a_number_the_database_cannot_hold_is_refused_not_stored(personas, value):
    _with_a_number_item()
    administration = household_survey(
        personas.coordinator, instruments=["months-here"]
    ).administration
    response = administration.responses.get()

    with pytest.raises(ValidationError):
        services.answer_record(administration, response=response, item=1, value=value)
    with pytest.raises(ValidationError) as refused:
        services.administration_enter(
            administration,
            by=personas.coordinator,
            answers={response.pk: {1: value}},
            mode=Mode.PAPER,
            language="en",
        )

    assert f"r{response.pk}_1" in refused.value.message_dict
    assert not Answer.objects.exists()
    services.answer_record(administration, response=response, item=1, value=14)
    assert Answer.objects.get().value == 14


@pytest.mark.parametrize("close", ["submit", "cancel"])
def test_an_answer_to_a_survey_closed_a_moment_ago_is_refused(personas, close):
    # The page read the survey while it was open; another tab (or staff) closed it before
    # the answer arrived.
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    read_earlier = services.administration_for_token(sent.token)
    response = read_earlier.responses.get()
    if close == "submit":
        services.administration_submit(Administration.objects.get(pk=read_earlier.pk))
    else:
        services.administration_cancel(
            Administration.objects.get(pk=read_earlier.pk), by=personas.coordinator, reason="x"
        )

    with pytest.raises(PermissionDenied):
        services.answer_record(read_earlier, response=response, item=1, value=1)

    assert not Answer.objects.exists()


def test_an_interpreter_who_left_the_program_no_longer_enters_its_survey(personas):
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    administration = sent.administration
    personas.interpreter.programs.add(administration.program)
    services.administration_assign_interpreter(
        administration, by=personas.coordinator, interpreter=personas.interpreter
    )
    administration.refresh_from_db()
    assert services.can_enter(personas.interpreter, administration)
    personas.interpreter.programs.remove(administration.program)
    assert not services.can_enter(personas.interpreter, administration)


def test_a_volunteer_link_emailed_at_night_waits_for_the_morning(personas):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from .factories import volunteer_survey

    toronto = ZoneInfo("America/Toronto")
    person = UserFactory(role=Role.VOLUNTEER, language="en", email="night@example.org")
    night = datetime(2027, 3, 3, 23, 30, tzinfo=toronto)
    with mock.patch("django.utils.timezone.now", return_value=night):
        volunteer_survey(person, program=ProgramFactory())
    message = OutboxMessage.objects.get(template="surveys.sms_pre")
    assert message.next_attempt_at == datetime(2027, 3, 4, 8, 0, tzinfo=toronto)


def test_an_expired_link_closes_the_link_only_staff_may_send_a_new_one_or_enter_it(personas):
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    administration = sent.administration
    administration.expires_at = timezone.now() - timedelta(minutes=1)
    administration.save()
    services.expire_due()
    administration.refresh_from_db()
    assert administration.status == AdminStatus.EXPIRED
    response = administration.responses.get()
    with pytest.raises(PermissionDenied):  # the respondent's path stays closed
        services.answer_record(administration, response=response, item=1, value=1)

    assert services.administration_send(administration, by=personas.coordinator) == "sms"
    administration.refresh_from_db()
    assert administration.status == AdminStatus.SENT
    assert administration.reminders_sent == 0
    assert services.administration_for_token(sent.token) is None  # the old link stays dead
    assert services.administration_for_token(administration.token).pk == administration.pk
    assert OutboxMessage.objects.filter(template="surveys.sms_pre").count() == 2

    administration.status = AdminStatus.EXPIRED
    administration.save()
    services.administration_enter(
        administration,
        by=personas.coordinator,
        answers={response.pk: {1: 2, 2: 2, 3: 2}},
        mode=Mode.INTERVIEW,
        language="ar",
    )
    administration.refresh_from_db()
    response.refresh_from_db()
    assert administration.status == AdminStatus.SUBMITTED
    assert response.scores["total"] == 6
