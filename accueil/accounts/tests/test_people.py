import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.accounts.models import Role
from accueil.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_filters_people_by_role_and_name(personas):
    client = personas.client_for("coordinator")
    response = client.get(reverse("people_list"), {"role": Role.INTERPRETER})
    assert [p.pk for p in response.context["page"].object_list] == [personas.interpreter.pk]
    response = client.get(reverse("people_list"), {"q": "partner"})
    assert {p.pk for p in response.context["page"].object_list} == {
        personas.partner_a.pk,
        personas.partner_b.pk,
    }


def test_it_shows_who_has_two_step_verification(personas):
    response = personas.client_for("admin").get(reverse("people_list"))
    flags = {p.pk: p.has_mfa for p in response.context["page"].object_list}
    assert flags[personas.coordinator.pk] is True
    assert flags[personas.volunteer.pk] is False


def test_it_lists_people_in_constant_queries(personas):
    client = personas.client_for("admin")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("people_list"))
    UserFactory.create_batch(20, role=Role.VOLUNTEER)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("people_list"))
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few)


def test_it_counts_people_by_role_on_the_staff_home_page(personas):
    UserFactory.create_batch(3, role=Role.INTERPRETER)
    response = personas.client_for("manager").get(reverse("home"))
    counts = {role.value: n for role, n in response.context["people_by_role"]}
    assert counts["interpreter"] == 4
    assert counts["partner_referrer"] == 2
    assert response.context["people_total"] == 11


def test_it_shows_failed_and_pending_work_on_the_staff_home_page(personas):
    from accueil.accounts import services
    from accueil.messaging.models import OutboxMessage

    services.invitation_create(
        email="n@example.org",
        full_name="N",
        role=Role.VOLUNTEER,
        organisation=personas.admin.organisation,
        language="en",
        by=personas.admin,
    )
    OutboxMessage.objects.update(status=OutboxMessage.Status.FAILED)
    response = personas.client_for("admin").get(reverse("home"))
    assert response.context["pending_invitations"] == 1
    assert response.context["failed_messages"] == 1
    # Coordinators do not look after the outbox.
    assert "failed_messages" not in personas.client_for("coordinator").get(reverse("home")).context


def test_it_sends_volunteers_to_their_own_home_page(personas):
    response = personas.client_for("volunteer").get(reverse("home"))
    assert response.url == reverse("volunteer_home")


def test_it_shows_a_partner_their_own_account(personas):
    html = personas.client_for("partner_a").get(reverse("home")).content.decode()
    assert "partner-a@example.org" in html
    assert "People by role" not in html


def test_it_records_who_looked_at_a_persons_record(personas):
    from accueil.core.models import AuditEntry

    personas.client_for("coordinator").get(reverse("person_detail", args=[personas.volunteer.pk]))
    entry = AuditEntry.objects.for_record(personas.volunteer).get(code="record.viewed")
    assert entry.actor == personas.coordinator
    # Looking at one's own account is not worth a line in the trail.
    personas.client_for("volunteer").get(reverse("person_detail", args=[personas.volunteer.pk]))
    assert AuditEntry.objects.filter(code="record.viewed").count() == 1
