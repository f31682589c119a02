"""References: the emailed single-use link, the public form, phone references, concerns."""

import re

import pytest
from django.urls import reverse

from accueil.conftest import PERSONAS, assert_personas
from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage
from accueil.volunteers.models import Reference, StepStatus, StepType, VolunteerStatus
from accueil.volunteers.services import screening as services

from .factories import ReferenceFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

YES = {"known_for": "3_10", "capacity": "Colleague at the library", "trust": "yes"}
NO = {"known_for": "1_3", "capacity": "Neighbour", "trust": "no", "concerns": "Short temper."}


@pytest.fixture
def volunteer(personas):
    volunteer = VolunteerFactory(references=2, user__language="fr", user__full_name="Sam Rivera")
    personas.coordinator.programs.add(volunteer.program)
    volunteer.coordinator = personas.coordinator
    volunteer.save()
    services.screening_start(volunteer=volunteer, by=personas.coordinator)
    return volunteer


def link_of(message) -> str:
    return re.search(r"http://\S+/volunteers/reference/(\S+)/", message.body_text).group(0)


def path_of(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def requests_for(reference) -> list:
    # Addresses are encrypted at rest (not searchable in SQL): compare in Python.
    return [
        m
        for m in OutboxMessage.objects.filter(template="volunteers.reference_request")
        if m.to_address == reference.email
    ]


def only(messages):
    assert len(messages) == 1, messages
    return messages[0]


def test_it_emails_each_referee_a_link_in_the_volunteers_language(volunteer):
    for reference in volunteer.references.all():
        message = only(requests_for(reference))
        assert message.language == "fr"
        assert "Sam Rivera" in message.subject
        token = link_of(message).rstrip("/").rsplit("/", 1)[1]
        # Only the hash is stored: the token itself is nowhere in the database row.
        assert reference.token_hash == Reference.hash_token(token)
        assert token not in str(Reference.objects.filter(pk=reference.pk).values().get())


def test_it_lets_a_referee_answer_once(client, volunteer):
    reference = volunteer.references.first()
    url = path_of(link_of(only(requests_for(reference))))
    page = client.get(url)
    assert page.status_code == 200
    assert "Sam Rivera" in page.content.decode()
    response = client.post(url, YES)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    reference.refresh_from_db()
    assert reference.answered_at is not None
    assert reference.recommends is True
    assert reference.token_hash is None
    assert client.get(url).status_code == 404
    assert client.post(url, YES).status_code == 404
    assert AuditEntry.objects.filter(code="volunteer.reference_answered").count() == 1


def test_it_keeps_what_the_referee_typed_when_the_form_has_an_error(client, volunteer):
    reference = volunteer.references.first()
    url = path_of(link_of(only(requests_for(reference))))
    response = client.post(url, {"capacity": "Old friend from school", "known_for": "over_10"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Answer yes or no." in html
    assert "Old friend from school" in html
    assert html.count("<h1") == 1


def test_it_refuses_a_made_up_link(client, volunteer):
    assert client.get(reverse("reference_answer", args=["not-a-real-token"])).status_code == 404


def test_it_lets_everyone_open_a_valid_link_without_signing_in(personas, volunteer):
    reference = volunteer.references.first()
    url = path_of(link_of(only(requests_for(reference))))
    assert_personas(personas, url, allowed=set(PERSONAS))


def test_it_completes_the_step_when_both_referees_say_yes(volunteer):
    tokens = [services._request_reference(r, by=None) for r in volunteer.references.all()]
    services.reference_answer(token=tokens[0], answers=YES)
    references = volunteer.steps.get(step_type=StepType.REFERENCES)
    assert references.status == StepStatus.IN_PROGRESS
    services.reference_answer(token=tokens[1], answers=YES)
    references.refresh_from_db()
    assert references.status == StepStatus.DONE


def test_it_flags_a_referee_who_says_no_for_the_coordinator(volunteer, personas):
    tokens = [services._request_reference(r, by=None) for r in volunteer.references.all()]
    services.reference_answer(token=tokens[0], answers=NO)
    services.reference_answer(token=tokens[1], answers=YES)
    step = volunteer.steps.get(step_type=StepType.REFERENCES)
    assert step.status == StepStatus.IN_PROGRESS
    assert step.outcome == services.REFERENCES_CONCERN
    alert = OutboxMessage.objects.get(template="volunteers.reference_concern")
    assert alert.recipient == personas.coordinator
    assert "Short temper" not in alert.body_text  # the answers stay in the application
    # The coordinator follows up and accepts, with a reason.
    with pytest.raises(Exception):  # noqa: B017 - a ValidationError without a note
        services.references_accept(step=step, note="", by=personas.coordinator)
    services.references_accept(
        step=step, note="Spoke to both; a misunderstanding.", by=personas.coordinator
    )
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert step.outcome == services.REFERENCES_ACCEPTED


def test_it_flags_again_when_a_new_referee_says_no_after_acceptance(volunteer, personas):
    tokens = [services._request_reference(r, by=None) for r in volunteer.references.all()]
    services.reference_answer(token=tokens[0], answers=NO)
    services.reference_answer(token=tokens[1], answers=YES)
    step = volunteer.steps.get(step_type=StepType.REFERENCES)
    services.references_accept(step=step, note="Checked.", by=personas.coordinator)
    third = services.reference_add(
        volunteer=volunteer,
        name="Third Referee",
        email="third@example.net",
        relation="Teacher",
        by=personas.coordinator,
    )
    services.reference_answer(token=services._request_reference(third, by=None), answers=NO)
    step.refresh_from_db()
    assert step.status == StepStatus.IN_PROGRESS
    assert step.outcome == services.REFERENCES_CONCERN


def test_it_records_a_reference_taken_by_phone_and_spends_the_link(volunteer, personas):
    reference = volunteer.references.first()
    token = services._request_reference(reference, by=None)
    services.reference_record_by_phone(reference=reference, answers=YES, by=personas.coordinator)
    reference.refresh_from_db()
    assert reference.by_phone and reference.recorded_by == personas.coordinator
    with pytest.raises(Exception):  # noqa: B017 - the link is spent
        services.reference_answer(token=token, answers=YES)
    with pytest.raises(Exception):  # noqa: B017 - already answered
        services.reference_record_by_phone(
            reference=reference, answers=YES, by=personas.coordinator
        )


def test_it_replaces_the_link_when_the_request_is_sent_again(volunteer, personas):
    reference = volunteer.references.first()
    old = services._request_reference(reference, by=None)
    services.reference_request(reference=reference, by=personas.coordinator)
    assert len(requests_for(reference)) == 3  # at the start, then twice here
    with pytest.raises(Exception):  # noqa: B017
        services.reference_answer(token=old, answers=YES)


def test_it_refuses_to_ask_a_referee_who_already_answered(volunteer, personas):
    reference = volunteer.references.first()
    services.reference_record_by_phone(reference=reference, answers=YES, by=personas.coordinator)
    with pytest.raises(Exception):  # noqa: B017
        services.reference_request(reference=reference, by=personas.coordinator)


def test_it_closes_the_links_of_a_declined_application(client, volunteer, personas):
    reference = volunteer.references.first()
    url = path_of(link_of(only(requests_for(reference))))
    services.volunteer_set_status(
        volunteer=volunteer,
        status=VolunteerStatus.DECLINED,
        reason="Moved away",
        by=personas.coordinator,
    )
    assert client.get(url).status_code == 404


def test_it_lets_staff_of_the_program_record_a_phone_reference(personas, volunteer):
    reference = volunteer.references.first()
    url = reverse("volunteer_reference_phone", args=[volunteer.pk, reference.pk])
    assert_personas(personas, url, allowed={"admin", "manager", "coordinator"})
    response = personas.client_for("coordinator").post(url, YES)
    assert response.status_code == 302
    reference.refresh_from_db()
    assert reference.by_phone


def test_it_lets_staff_of_the_program_send_a_request_again(personas, volunteer):
    reference = volunteer.references.first()
    url = reverse("volunteer_reference_resend", args=[volunteer.pk, reference.pk])
    assert_personas(
        personas, url, allowed={"admin", "manager", "coordinator"}, method="post", ok=(302,)
    )
    assert len(requests_for(reference)) == 4  # the first request, then 3 allowed personas


def test_it_hides_the_references_of_another_volunteer(personas, volunteer):
    other = ReferenceFactory()
    url = reverse("volunteer_reference_phone", args=[volunteer.pk, other.pk])
    assert personas.client_for("coordinator").get(url).status_code == 404
