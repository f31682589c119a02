import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.accounts import services
from accueil.accounts.models import Role
from accueil.core import audit
from accueil.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_refuses_unregistered_codes(personas):
    with pytest.raises(ValueError, match="Unknown audit code"):
        audit.record("account.teleported", actor=personas.admin, target=personas.admin)


def test_it_renders_codes_as_sentences(personas):
    invitation = services.invitation_create(
        email="yusuf@example.org",
        full_name="Yusuf Ali",
        role=Role.VOLUNTEER,
        organisation=personas.admin.organisation,
        language="en",
        by=personas.admin,
    )
    entry = AuditEntry.objects.get(code="account.invited")
    assert (
        audit.describe(entry, target_obj=invitation) == "Ada Admin invited Yusuf Ali as Volunteer"
    )


def test_it_renders_sentences_in_the_active_language(personas):
    from django.utils import translation

    entry = audit.record("account.logged_in", actor=personas.admin, target=personas.admin)
    with translation.override("fr"):
        sentence = audit.describe(entry)
    assert sentence.startswith("Ada Admin")


def test_it_masks_contact_details_in_recorded_changes(personas):
    user = personas.volunteer
    user.email = "new.address@example.org"
    user.save()
    entry = AuditEntry.objects.filter(
        object_pk=str(user.pk), action=AuditEntry.Action.UPDATE
    ).latest("timestamp")
    assert "new.address@example.org" not in str(entry.changes)
    assert "example.org" not in str(entry.changes)  # not even half of it
    assert entry.changes["email"] == ["••••••", "••••••"]
    assert entry.actor_email is None
    assert entry.object_repr == f"accounts.user:{user.pk}"
    assert entry.serialized_data is None


def test_it_records_who_made_a_change_through_a_request(personas):
    client = personas.client_for("volunteer")
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    entry = AuditEntry.objects.filter(
        object_pk=str(personas.volunteer.pk), action=AuditEntry.Action.UPDATE
    ).latest("timestamp")
    assert entry.actor == personas.volunteer
    assert entry.remote_addr == "127.0.0.1"


def test_it_filters_the_trail_by_person_and_code(personas):
    audit.record("account.logged_in", actor=personas.coordinator, target=personas.coordinator)
    audit.record("account.logged_in", actor=personas.volunteer, target=personas.volunteer)
    client = personas.client_for("manager")
    response = client.get(
        reverse("audit_list"), {"person": personas.coordinator.pk, "code": "account.logged_in"}
    )
    rows = response.context["rows"]
    assert [row["entry"].actor for row in rows] == [personas.coordinator]
    assert "Cora Coordinator signed in" in response.content.decode()


def test_it_filters_the_trail_by_record(personas):
    audit.record("account.logged_in", actor=personas.coordinator, target=personas.coordinator)
    client = personas.client_for("admin")
    response = client.get(
        reverse("audit_list"), {"record": f"accounts.user:{personas.coordinator.pk}"}
    )
    assert all(
        row["entry"].object_pk == str(personas.coordinator.pk) for row in response.context["rows"]
    )
    assert response.context["rows"]


def test_it_explains_a_malformed_record_filter_and_keeps_it(personas):
    response = personas.client_for("admin").get(reverse("audit_list"), {"record": "nonsense"})
    html = response.content.decode()
    assert "Write the record as app.model:id" in html
    assert 'value="nonsense"' in html


def test_it_lists_the_trail_in_constant_queries(personas):
    client = personas.client_for("admin")
    audit.record("account.logged_in", actor=personas.coordinator, target=personas.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit_list"))
    for person in (
        personas.volunteer,
        personas.interpreter,
        personas.partner_a,
        personas.partner_b,
    ):
        for _ in range(8):
            audit.record("account.logged_in", actor=person, target=person)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("audit_list"))
    assert len(many) == len(few)


def test_it_shows_a_persons_recent_activity_on_their_page(personas):
    audit.record("account.logged_in", actor=personas.volunteer, target=personas.volunteer)
    html = (
        personas.client_for("manager")
        .get(reverse("person_detail", args=[personas.volunteer.pk]))
        .content.decode()
    )
    assert "Val Volunteer signed in" in html
    # Coordinators see the person but not the trail.
    html = (
        personas.client_for("coordinator")
        .get(reverse("person_detail", args=[personas.volunteer.pk]))
        .content.decode()
    )
    assert "Val Volunteer signed in" not in html
