import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accueil.accounts import services
from accueil.accounts.models import Invitation, Role, User
from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _invite(by, **overrides):
    fields = {
        "email": "Samira.Nouri@Example.org",
        "full_name": "Samira Nouri",
        "role": Role.COORDINATOR,
        "organisation": by.organisation,
        "language": "fr",
        "by": by,
    }
    fields.update(overrides)
    return services.invitation_create(**fields)


def _token_from_outbox() -> str:
    body = OutboxMessage.objects.latest("created_at").body_text
    link = next(line for line in body.splitlines() if "/invite/" in line)
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_it_queues_the_invitation_email_in_the_invitees_language(personas):
    _invite(personas.admin)
    message = OutboxMessage.objects.get()
    assert message.to_address == "samira.nouri@example.org"
    assert message.language == "fr"
    # Rendered in French, the invitee's language, whatever the inviter's language.
    assert message.subject == "Invitation à rejoindre Accueil"
    assert "/invite/" in message.body_text


def test_it_stores_only_a_hash_of_the_token(personas):
    invitation = _invite(personas.admin)
    token = _token_from_outbox()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())


def test_it_records_the_invitation_in_the_audit_trail(personas):
    invitation = _invite(personas.admin)
    entry = AuditEntry.objects.get(code="account.invited")
    assert entry.actor == personas.admin
    assert entry.object_pk == str(invitation.pk)
    assert entry.additional_data == {"role": "coordinator"}
    # A reference, not a copy of the person's details.
    assert "samira" not in entry.object_repr.lower()


def test_it_creates_a_verified_account_with_the_invited_role(personas, client):
    _invite(personas.admin)
    token = _token_from_outbox()
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {
            "full_name": "Samira Nouri",
            "preferred_name": "Samira",
            "password1": "lantern orchard river 42",
            "password2": "lantern orchard river 42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="samira.nouri@example.org")
    assert user.role == Role.COORDINATOR
    assert user.language == "fr"
    assert user.emailaddress_set.get().verified
    assert AuditEntry.objects.filter(code="account.invitation_accepted", actor=user).exists()
    # Staff land on the two-step verification set-up before anything else.
    assert client.get(reverse("home")).url == reverse("mfa_required")
    # …and can set up an authenticator app straight away, without typing the password again.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_it_accepts_a_link_only_once(personas, client):
    _invite(personas.admin)
    token = _token_from_outbox()
    data = {
        "full_name": "Samira Nouri",
        "password1": "lantern orchard river 42",
        "password2": "lantern orchard river 42",
    }
    client.post(reverse("invitation_accept", args=[token]), data)
    client.logout()
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 404
    assert User.objects.filter(email="samira.nouri@example.org").count() == 1


def test_it_refuses_an_expired_link(personas, client):
    invitation = _invite(personas.admin)
    token = _token_from_outbox()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404


def test_it_refuses_a_revoked_link(personas, client):
    invitation = _invite(personas.admin)
    token = _token_from_outbox()
    services.invitation_revoke(invitation=invitation, by=personas.admin)
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404


def test_it_replaces_the_link_when_sent_again(personas, client):
    invitation = _invite(personas.admin)
    old_token = _token_from_outbox()
    services.invitation_resend(invitation=invitation, by=personas.coordinator)
    new_token = _token_from_outbox()
    assert old_token != new_token
    assert client.get(reverse("invitation_accept", args=[old_token])).status_code == 404
    assert client.get(reverse("invitation_accept", args=[new_token])).status_code == 200
    assert OutboxMessage.objects.count() == 2


def test_it_keeps_what_was_typed_when_the_passwords_differ(personas, client):
    _invite(personas.admin)
    token = _token_from_outbox()
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {
            "full_name": "Samira N.",
            "preferred_name": "Sami",
            "password1": "lantern orchard river 42",
            "password2": "other words entirely 9",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Samira N."' in html and 'value="Sami"' in html
    assert "The two passwords are not the same." in html
    assert "Error:" in html.split("</title>")[0]
    assert not User.objects.filter(email="samira.nouri@example.org").exists()


def test_it_refuses_a_weak_password(personas, client):
    _invite(personas.admin)
    token = _token_from_outbox()
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"full_name": "Samira Nouri", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="samira.nouri@example.org").exists()


def test_it_refuses_an_email_that_already_has_an_account(personas):
    with pytest.raises(ValidationError):
        _invite(personas.admin, email=personas.volunteer.email)


def test_it_refuses_a_second_pending_invitation_for_the_same_email(personas):
    _invite(personas.admin)
    with pytest.raises(ValidationError):
        _invite(personas.manager, email="samira.nouri@example.org")


def test_it_lets_coordinators_invite_only_the_roles_they_work_with(personas):
    with pytest.raises(PermissionDenied):
        _invite(personas.coordinator, role=Role.ADMIN)
    assert _invite(personas.coordinator, role=Role.VOLUNTEER).role == Role.VOLUNTEER


def test_it_puts_partner_referrers_in_a_partner_agency(personas):
    with pytest.raises(ValidationError):
        _invite(personas.admin, role=Role.PARTNER_REFERRER)
    invitation = _invite(personas.admin, role=Role.PARTNER_REFERRER, organisation=personas.agency_a)
    assert invitation.organisation == personas.agency_a


def test_it_shows_form_errors_and_keeps_the_input(personas):
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("invitation_create"),
        {
            "full_name": "Tariq Aziz",
            "email": "not-an-email",
            "role": "volunteer",
            "organisation": personas.coordinator.organisation_id,
            "language": "ar",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Tariq Aziz"' in html and 'value="not-an-email"' in html
    assert 'href="#id_email"' in html  # the error summary links to the field
    assert not Invitation.objects.exists()


def test_it_sends_an_invitation_from_the_form(personas):
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("invitation_create"),
        {
            "full_name": "Tariq Aziz",
            "email": "tariq@example.org",
            "role": "volunteer",
            "organisation": personas.coordinator.organisation_id,
            "language": "ar",
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.invited_by == personas.coordinator
    assert OutboxMessage.objects.get().language == "ar"


def test_it_lists_invitations_in_constant_queries(personas, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client_for("admin")
    _invite(personas.admin, email="one@example.org")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("invitation_list"))
    for i in range(15):
        _invite(personas.admin, email=f"many{i}@example.org")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("invitation_list"))
    assert len(many) == len(few)
