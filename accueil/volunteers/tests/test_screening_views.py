"""Screening pages: the volunteer's page, step pages, decisions, and the volunteer's own view."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accueil.conftest import assert_personas
from accueil.core.models import AuditEntry
from accueil.volunteers.models import CodeOfConductSignature, StepStatus, StepType, VolunteerStatus
from accueil.volunteers.services import screening as services

from .factories import VolunteerFactory, complete_screening

pytestmark = pytest.mark.django_db

STAFF = {"admin", "manager", "coordinator"}


@pytest.fixture
def volunteer(personas):
    """Val Volunteer's application, in the coordinator's program."""
    volunteer = VolunteerFactory(
        user=personas.volunteer,
        references=2,
        languages=[("ar", "native"), ("fr", "conversational")],
        skills=["housing", "digital_skills"],
        availability=["mon_evening"],
        phone="+1 416 555 0123",
    )
    personas.coordinator.programs.add(volunteer.program)
    return volunteer


@pytest.fixture
def screening(volunteer, personas):
    services.screening_start(volunteer=volunteer, by=personas.coordinator)
    return volunteer


def url(name, *args):
    return reverse(name, args=args)


# -- the volunteer's page ------------------------------------------------------------------


def test_it_shows_the_volunteers_page_to_staff_of_the_program_only(personas, volunteer):
    assert_personas(personas, url("volunteer_detail", volunteer.pk), allowed=STAFF)


def test_it_hides_the_page_from_a_coordinator_of_another_program(personas, volunteer):
    personas.coordinator.programs.clear()
    response = personas.client_for("coordinator").get(url("volunteer_detail", volunteer.pk))
    assert response.status_code == 404
    assert personas.client_for("admin").get(url("volunteer_detail", 999999)).status_code == 404


def test_it_shows_the_profile_task_list_and_history(personas, screening):
    response = personas.client_for("coordinator").get(url("volunteer_detail", screening.pk))
    html = response.content.decode()
    assert html.count("<h1") == 1
    for text in (
        "Arabic",
        "First language",
        "Housing",
        "Using phones, computers and the internet",
        "+1 416 555 0123",
        "Interview",
        "Not started",
        "In progress",
        "0 of 2 references answered",
        "started the screening of",
        'scope="row"',
    ):
        assert text in html, text
    assert "Cannot be approved yet" in html


def test_it_records_who_opened_the_volunteers_page(personas, volunteer):
    personas.client_for("manager").get(url("volunteer_detail", volunteer.pk))
    entry = AuditEntry.objects.for_record(volunteer).get(code="record.viewed")
    assert entry.actor == personas.manager


def test_it_starts_the_screening_from_the_page(personas, volunteer):
    response = personas.client_for("coordinator").post(url("volunteer_start", volunteer.pk))
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.IN_SCREENING


def test_it_lets_only_staff_of_the_program_start_the_screening(personas, volunteer):
    # The first allowed persona starts it; the next ones are told it has started already.
    assert_personas(
        personas, url("volunteer_start", volunteer.pk), allowed=STAFF, method="post", ok=(302,)
    )
    elsewhere = VolunteerFactory()
    response = personas.client_for("coordinator").post(url("volunteer_start", elsewhere.pk))
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == VolunteerStatus.APPLIED


# -- step pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("step_type", [t.value for t in StepType])
def test_it_shows_each_step_page_to_staff_of_the_program_only(personas, screening, step_type):
    assert_personas(personas, url("volunteer_step", screening.pk, step_type), allowed=STAFF)


def test_it_has_no_step_pages_before_screening_starts(personas, volunteer):
    response = personas.client_for("coordinator").get(
        url("volunteer_step", volunteer.pk, StepType.INTERVIEW)
    )
    assert response.status_code == 404
    response = personas.client_for("coordinator").get(url("volunteer_step", volunteer.pk, "nope"))
    assert response.status_code == 404


def test_it_books_and_records_the_interview_from_its_page(personas, screening):
    client = personas.client_for("coordinator")
    page = url("volunteer_step", screening.pk, StepType.INTERVIEW)
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(page, {"action": "schedule", "schedule-when": when}).status_code == 302
    response = client.post(page, {"action": "record", "record-notes": "Kind and clear."})
    assert response.status_code == 200
    assert "Choose the outcome of the interview." in response.content.decode()
    assert "Kind and clear." in response.content.decode()  # nothing typed is lost
    assert "Error:" in response.content.decode().split("</title>")[0]
    response = client.post(
        page, {"action": "record", "record-outcome": "suitable", "record-notes": "Kind and clear."}
    )
    assert response.status_code == 302
    assert screening.steps.get(step_type=StepType.INTERVIEW).status == StepStatus.DONE


def test_it_records_orientation_and_training_from_their_pages(personas, screening):
    client = personas.client_for("coordinator")
    response = client.post(
        url("volunteer_step", screening.pk, StepType.ORIENTATION),
        {"action": "record", "record-attended_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert screening.steps.get(step_type=StepType.ORIENTATION).status == StepStatus.DONE


def test_it_shows_the_answers_and_a_concern_on_the_references_page(personas, screening):
    first, second = screening.references.all()
    services.reference_record_by_phone(
        reference=first,
        answers={"known_for": "3_10", "capacity": "Neighbour", "trust": "no", "concerns": "Late"},
        by=personas.coordinator,
    )
    services.reference_record_by_phone(
        reference=second,
        answers={"known_for": "1_3", "capacity": "Colleague", "trust": "yes"},
        by=personas.coordinator,
    )
    page = url("volunteer_step", screening.pk, StepType.REFERENCES)
    html = personas.client_for("coordinator").get(page).content.decode()
    assert "A referee would not trust this person" in html
    assert "3 to 10 years" in html and "Late" in html
    response = personas.client_for("coordinator").post(
        page, {"action": "accept", "accept-note": "Followed up by phone."}
    )
    assert response.status_code == 302
    assert screening.steps.get(step_type=StepType.REFERENCES).status == StepStatus.DONE


def test_it_adds_a_referee_from_the_references_page(personas, screening):
    response = personas.client_for("coordinator").post(
        url("volunteer_step", screening.pk, StepType.REFERENCES),
        {
            "action": "add",
            "add-name": "Noor Haddad",
            "add-email": "noor@example.net",
            "add-relation": "Teacher",
        },
    )
    assert response.status_code == 302
    assert screening.references.filter(name="Noor Haddad", requested_at__isnull=False).exists()


def test_it_refuses_an_unknown_action(personas, screening):
    response = personas.client_for("coordinator").post(
        url("volunteer_step", screening.pk, StepType.INTERVIEW), {"action": "explode"}
    )
    assert response.status_code == 404


# -- decisions -----------------------------------------------------------------------------


def test_it_explains_why_a_volunteer_cannot_be_approved(personas, screening):
    page = url("volunteer_approve", screening.pk)
    assert_personas(personas, page, allowed=STAFF)
    html = personas.client_for("coordinator").get(page).content.decode()
    assert "cannot be approved yet" in html and "Interview" in html
    response = personas.client_for("coordinator").post(page)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    screening.refresh_from_db()
    assert screening.status == VolunteerStatus.IN_SCREENING


def test_it_approves_from_the_confirmation_page(personas, screening):
    complete_screening(screening)
    response = personas.client_for("coordinator").post(url("volunteer_approve", screening.pk))
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.status == VolunteerStatus.APPROVED


def test_it_declines_with_a_reason_from_the_status_page(personas, screening):
    page = url("volunteer_status", screening.pk)
    assert_personas(personas, page, allowed=STAFF)
    client = personas.client_for("coordinator")
    response = client.post(page, {"status": "declined", "reason": ""})
    assert response.status_code == 200
    assert "Write the reason for declining." in response.content.decode()
    response = client.post(page, {"status": "declined", "reason": "Not a good fit now."})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.status == VolunteerStatus.DECLINED
    # Nothing can follow a decline.
    assert "cannot change any more" in client.get(page).content.decode()


# -- the volunteer's own application -------------------------------------------------------


def test_it_shows_a_volunteer_only_their_own_application(personas, volunteer):
    assert_personas(personas, url("volunteer_my_application"), allowed={"volunteer"})
    assert_personas(personas, url("volunteer_code_of_conduct"), allowed={"volunteer"})


def test_it_tells_the_volunteer_what_to_do_next_in_plain_words(personas, screening):
    html = personas.client_for("volunteer").get(url("volunteer_my_application")).content.decode()
    assert html.count("<h1") == 1
    assert "What to do next" in html
    assert "Read and sign our rules" in html
    assert "Send us your police check" in html
    assert "Talk with us" in html
    # Staff words and notes never show here.
    assert "Two references" not in html


def test_it_lets_the_volunteer_sign_the_code_of_conduct(personas, screening):
    client = personas.client_for("volunteer")
    page = url("volunteer_code_of_conduct")
    html = client.get(page).content.decode()
    assert "Never give or take money" in html
    response = client.post(page, {"signed_name": "Val Volunteer"})
    assert response.status_code == 200
    assert "Tick the box to show you agree." in response.content.decode()
    assert 'value="Val Volunteer"' in response.content.decode()
    response = client.post(page, {"signed_name": "Val Volunteer", "agree": "on"})
    assert response.status_code == 302
    assert CodeOfConductSignature.objects.get().signed_name == "Val Volunteer"
    assert screening.steps.get(step_type=StepType.CODE_OF_CONDUCT).status == StepStatus.DONE
    assert "You signed this code" in client.get(page).content.decode()


def test_it_shows_the_volunteers_pages_in_their_language(personas, volunteer):
    personas.volunteer.language = "fr"
    personas.volunteer.save()
    # The request switches this thread to French: switch back after, for the next tests.
    with translation.override("en"):
        response = personas.client_for("volunteer").get(url("volunteer_code_of_conduct"))
    assert '<html lang="fr"' in response.content.decode()
