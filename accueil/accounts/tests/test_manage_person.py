import pytest
from django.urls import reverse

from accueil.accounts.models import Role
from accueil.conftest import PERSONAS
from accueil.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _post_as(personas, name, url, data):
    return personas.client_for(name).post(url, data)


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lets_only_admins_and_managers_change_a_volunteers_role(personas, name):
    url = reverse("person_role", args=[personas.volunteer.pk])
    response = _post_as(personas, name, url, {"role": Role.INTERPRETER})
    personas.volunteer.refresh_from_db()
    if name in {"admin", "manager"}:
        assert response.status_code == 302
        assert personas.volunteer.role == Role.INTERPRETER
    elif name == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response.url
    else:
        assert response.status_code == 404
        assert personas.volunteer.role == Role.VOLUNTEER


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lets_only_admins_deactivate_a_manager(personas, name):
    url = reverse("person_active", args=[personas.manager.pk])
    response = _post_as(personas, name, url, {"active": "0"})
    personas.manager.refresh_from_db()
    if name == "admin":
        assert response.status_code == 302 and not personas.manager.is_active
    elif name == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response.url
    else:
        # The manager may not deactivate themselves either.
        assert response.status_code == 404 and personas.manager.is_active


def test_it_ends_a_deactivated_persons_sessions_at_once(personas):
    volunteer_client = personas.client_for("volunteer")
    assert volunteer_client.get(reverse("volunteer_home")).status_code == 200
    personas.client_for("admin").post(
        reverse("person_active", args=[personas.volunteer.pk]), {"active": "0"}
    )
    assert volunteer_client.get(reverse("volunteer_home")).status_code == 302
    assert AuditEntry.objects.filter(code="account.deactivated", actor=personas.admin).exists()
    personas.client_for("admin").post(
        reverse("person_active", args=[personas.volunteer.pk]), {"active": "1"}
    )
    assert AuditEntry.objects.filter(code="account.reactivated").exists()


def test_it_records_a_role_change(personas):
    personas.client_for("admin").post(
        reverse("person_role", args=[personas.volunteer.pk]), {"role": Role.COORDINATOR}
    )
    entry = AuditEntry.objects.get(code="account.role_changed")
    assert entry.additional_data == {"role": "coordinator"}


def test_it_refuses_to_make_a_host_volunteer_a_partner_referrer(personas):
    client = personas.client_for("admin")
    response = client.post(
        reverse("person_role", args=[personas.volunteer.pk]),
        {"role": Role.PARTNER_REFERRER},
        follow=True,
    )
    personas.volunteer.refresh_from_db()
    assert personas.volunteer.role == Role.VOLUNTEER
    assert "Partner referrers belong to a partner agency" in response.content.decode()


def test_it_offers_management_only_where_allowed(personas):
    html = (
        personas.client_for("admin")
        .get(reverse("person_detail", args=[personas.volunteer.pk]))
        .content.decode()
    )
    assert "Deactivate account" in html
    html = (
        personas.client_for("coordinator")
        .get(reverse("person_detail", args=[personas.volunteer.pk]))
        .content.decode()
    )
    assert "Deactivate account" not in html
