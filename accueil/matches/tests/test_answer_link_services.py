"""The link texted to a household: sending it (who, when, in which language, at what hour),
resolving it (only a working link, once), and the answer it records."""

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.core.models import AuditEntry
from accueil.factories import UserFactory
from accueil.matches import services
from accueil.matches import services_answer_link as links
from accueil.matches.models import (
    ANSWER_LINK_VALID_FOR,
    AnswerLinkAnswer,
    HouseholdAnswer,
    HouseholdAnswerLink,
    MatchStatus,
)
from accueil.messaging.models import Channel, OutboxMessage

from .factories import in_state, lead_of, proposed

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def match(personas):
    return proposed(personas.coordinator)


def send(match, by, **kwargs) -> HouseholdAnswerLink:
    return links.answer_link_send(match=match, by=by, **kwargs)


def texts():
    return list(OutboxMessage.objects.filter(channel=Channel.SMS).order_by("pk"))


def emails():
    return list(OutboxMessage.objects.filter(channel=Channel.EMAIL).order_by("pk"))


def codes(match):
    return list(
        AuditEntry.objects.for_record(match)
        .exclude(code="")
        .order_by("pk")
        .values_list("code", flat=True)
    )


# -- sending ----------------------------------------------------------------------------------


def test_it_keeps_only_the_hash_of_the_token(match, personas):
    link = send(match, personas.coordinator)

    token = link.token
    assert len(token) >= 43  # 32 random bytes
    link.refresh_from_db()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for row in HouseholdAnswerLink.objects.values() for value in row.values()]
    assert not any(token in value for value in stored)
    audit = [str(entry.additional_data) for entry in AuditEntry.objects.all()]
    assert not any(token in value for value in audit)
    # Only the text message carries it.
    [sms] = texts()
    assert f"{settings.SITE_URL}/m/{token}/" in sms.body_text


def test_it_texts_the_household_in_its_language(match, personas):
    match.household.languages = ["fr", "ar"]
    match.household.save(update_fields=["languages"])

    link = send(match, personas.coordinator)

    [sms] = texts()
    assert sms.to_address == match.household.phone
    assert sms.language == link.language == "fr"
    assert sms.recipient is None
    assert sms.template == "matches.answer_link"
    assert sms.idempotency_key == f"answer-link-{link.pk}"
    assert (match.program.short_name or match.program.name) in sms.body_text
    assert "Amina" not in sms.body_text


def test_a_household_speaking_no_site_language_gets_english(match, personas):
    match.household.languages = ["ti"]
    match.household.save(update_fields=["languages"])

    send(match, personas.coordinator)

    [sms] = texts()
    assert sms.language == "en"
    assert "we have found a group of volunteers for your family" in sms.body_text


def test_a_link_sent_late_in_the_evening_is_texted_at_eight(match, personas):
    send(match, personas.coordinator, now=datetime(2030, 3, 7, 22, 0, tzinfo=TORONTO))

    [sms] = texts()
    assert sms.language == "ar"
    assert sms.next_attempt_at == datetime(2030, 3, 8, 8, 0, tzinfo=TORONTO)


def test_a_link_sent_in_the_daytime_is_texted_at_once(match, personas):
    before = timezone.now()
    send(match, personas.coordinator, now=datetime(2030, 3, 7, 10, 0, tzinfo=TORONTO))

    [sms] = texts()
    assert sms.next_attempt_at <= timezone.now()
    assert sms.next_attempt_at >= before


def test_it_writes_an_audit_entry(match, personas):
    link = send(match, personas.coordinator)

    entry = AuditEntry.objects.for_record(match).get(code="match.answer_link_sent")
    assert entry.actor == personas.coordinator
    assert entry.additional_data == {"link": link.pk, "language": "ar"}


def test_a_link_works_for_seven_days(match, personas):
    now = timezone.now()
    link = send(match, personas.coordinator, now=now)

    assert timedelta(days=7) == ANSWER_LINK_VALID_FOR
    assert link.expires_at == now + timedelta(days=7)
    assert links.answer_link_resolve(link.token, now=now + timedelta(days=6, hours=23)) == link
    assert links.answer_link_resolve(link.token, now=now + timedelta(days=7)) is None
    with pytest.raises(ValidationError) as caught:
        links.answer_link_answer(
            token=link.token, accepted=True, now=now + timedelta(days=7, seconds=1)
        )
    assert caught.value.code == links.INVALID
    match.refresh_from_db()
    assert match.household_accepted_at is None


def test_only_staff_of_the_match_may_send(match, personas):
    other_coordinator = UserFactory(role=Role.COORDINATOR)
    refused = [
        personas.volunteer,
        personas.interpreter,
        personas.partner_a,
        personas.outsider,
        other_coordinator,
        lead_of(match.group),
        None,
    ]
    for person in refused:
        with pytest.raises(PermissionDenied):
            send(match, person)
    assert not HouseholdAnswerLink.objects.exists()
    assert texts() == []


@pytest.mark.parametrize(
    "status", [MatchStatus.ACCEPTED, MatchStatus.DECLINED, MatchStatus.CANCELLED]
)
def test_it_refuses_a_match_that_is_no_longer_proposed(personas, status):
    match = in_state(status, personas.coordinator)
    with pytest.raises(ValidationError):
        send(match, personas.coordinator)
    assert not HouseholdAnswerLink.objects.exists()


def test_it_refuses_when_the_household_already_accepted(match, personas):
    services.match_record_household_answer(match=match, by=personas.coordinator, accepted=True)
    with pytest.raises(ValidationError) as caught:
        send(match, personas.coordinator)
    assert caught.value.messages == ["The household has already accepted this match."]


def test_it_refuses_a_household_without_a_phone(match, personas):
    match.household.phone = ""
    match.household.save(update_fields=["phone"])
    with pytest.raises(ValidationError) as caught:
        send(match, personas.coordinator)
    assert caught.value.messages == ["The household has no phone number to send a text message to."]
    assert texts() == []


def test_a_new_link_revokes_the_earlier_unused_ones(match, personas):
    first = send(match, personas.coordinator)
    second = send(match, personas.manager)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert links.answer_link_resolve(first.token) is None
    assert links.answer_link_resolve(second.token) == second
    with pytest.raises(ValidationError):
        links.answer_link_answer(token=first.token, accepted=True)
    assert len(texts()) == 2


# -- resolving --------------------------------------------------------------------------------


def test_an_unknown_token_resolves_to_nothing(match, personas):
    send(match, personas.coordinator)
    assert links.answer_link_resolve("not-a-real-token") is None
    assert links.answer_link_resolve("") is None


def test_a_link_stops_working_when_the_match_moves_on(match, personas):
    link = send(match, personas.coordinator)
    services.match_withdraw(match=match, by=personas.coordinator, reason="Family moved")
    assert links.answer_link_resolve(link.token) is None


def test_a_link_stops_working_when_staff_recorded_the_answer(match, personas):
    link = send(match, personas.coordinator)
    services.match_record_household_answer(match=match, by=personas.coordinator, accepted=True)
    assert links.answer_link_resolve(link.token) is None
    with pytest.raises(ValidationError):
        links.answer_link_answer(token=link.token, accepted=False)
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED
    assert match.household_answer_how == HouseholdAnswer.STAFF_CALL


# -- answering --------------------------------------------------------------------------------


def test_a_yes_after_the_groups_yes_accepts_the_match(match, personas):
    services.match_accept_for_group(match=match, by=lead_of(match.group))
    link = send(match, personas.coordinator)

    answered = links.answer_link_answer(token=link.token, accepted=True)

    match.refresh_from_db()
    assert answered.pk == match.pk
    assert match.status == MatchStatus.ACCEPTED
    assert match.household_accepted_at is not None
    assert match.household_answer_how == HouseholdAnswer.SMS_LINK
    assert match.household_answer_recorded_by is None
    entry = AuditEntry.objects.for_record(match).get(code="match.household_accepted")
    assert entry.actor is None
    assert entry.additional_data == {"how": "sms_link"}
    assert codes(match)[-2:] == ["match.household_accepted", "match.accepted"]
    link.refresh_from_db()
    assert link.used_at is not None
    assert link.answer == AnswerLinkAnswer.ACCEPTED


def test_a_yes_before_the_group_answers_waits_for_the_group(match, personas):
    link = send(match, personas.coordinator)
    links.answer_link_answer(token=link.token, accepted=True)

    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED
    assert match.household_accepted_at is not None
    services.match_accept_for_group(match=match, by=lead_of(match.group))
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED


def test_a_link_answers_once(match, personas):
    link = send(match, personas.coordinator)
    links.answer_link_answer(token=link.token, accepted=True)

    for accepted in (True, False):
        with pytest.raises(ValidationError) as caught:
            links.answer_link_answer(token=link.token, accepted=accepted, reason="Changed mind")
        assert caught.value.code == links.INVALID
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED
    assert codes(match).count("match.household_accepted") == 1
    assert [m.template for m in emails()] == ["matches.answer_link_answered"]


def test_a_no_declines_with_the_households_reason(match, personas):
    link = send(match, personas.coordinator)
    links.answer_link_answer(
        token=link.token, accepted=False, reason="  We are moving to Ottawa next month.  "
    )

    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert match.declined_by == "household"
    assert match.reason == "We are moving to Ottawa next month."
    assert match.household_answer_how == HouseholdAnswer.SMS_LINK
    entry = AuditEntry.objects.for_record(match).get(code="match.declined")
    assert entry.actor is None
    assert entry.additional_data == {"side": "household", "how": "sms_link"}
    link.refresh_from_db()
    assert link.answer == AnswerLinkAnswer.DECLINED


def test_a_no_without_a_reason_records_a_default_in_the_coordinators_language(match, personas):
    link = send(match, personas.coordinator)
    links.answer_link_answer(token=link.token, accepted=False, reason="   ")

    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert match.reason == "Declined through the text-message link (no reason given)."


def test_a_very_long_reason_is_refused_and_the_link_still_works(match, personas):
    link = send(match, personas.coordinator)
    with pytest.raises(ValidationError) as caught:
        links.answer_link_answer(token=link.token, accepted=False, reason="x" * 2001)
    assert "reason" in caught.value.message_dict
    assert links.answer_link_resolve(link.token) is not None


def test_the_coordinator_is_emailed_without_personal_data(match, personas):
    personas.coordinator.language = "fr"
    personas.coordinator.save(update_fields=["language"])
    household = match.household
    link = send(match, personas.coordinator)
    links.answer_link_answer(token=link.token, accepted=False, reason="Mon mari est malade.")

    [mail] = [m for m in emails() if m.template == "matches.answer_link_answered"]
    assert mail.to_address == personas.coordinator.email
    assert mail.recipient == personas.coordinator
    assert mail.language == "fr"
    assert mail.idempotency_key == f"answer-link-{link.pk}-answered"
    assert f"#{household.pk}" in mail.body_text
    assert f"{settings.SITE_URL}/matches/{match.pk}/" in mail.body_text
    for private in (household.head_name, household.phone, "Mon mari", match.group.name):
        assert private not in mail.body_text
        assert private not in mail.subject


def test_the_coordinator_email_waits_for_the_morning(match, personas):
    link = send(match, personas.coordinator, now=datetime(2030, 3, 7, 18, 0, tzinfo=TORONTO))
    links.answer_link_answer(
        token=link.token, accepted=True, now=datetime(2030, 3, 7, 23, 15, tzinfo=TORONTO)
    )
    [mail] = [m for m in emails() if m.template == "matches.answer_link_answered"]
    assert mail.next_attempt_at == datetime(2030, 3, 8, 8, 0, tzinfo=TORONTO)
    assert "The group has not answered yet." in mail.body_text


def test_staff_still_record_the_answer_after_a_call(match, personas):
    with pytest.raises(PermissionDenied):
        services.match_record_household_answer(match=match, by=personas.volunteer, accepted=True)
    services.match_record_household_answer(match=match, by=personas.coordinator, accepted=True)
    match.refresh_from_db()
    assert match.household_answer_how == HouseholdAnswer.STAFF_CALL
    assert match.household_answer_recorded_by == personas.coordinator
    with pytest.raises(ValidationError):
        services.match_record_household_answer(match=match, by=personas.coordinator, accepted=True)
