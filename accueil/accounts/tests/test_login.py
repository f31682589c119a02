import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accueil.accounts.models import Role
from accueil.core.models import AuditEntry
from accueil.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _current_code(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = get_mfa_adapter().decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_it_signs_a_volunteer_in_with_email_and_password(client):
    user = UserFactory(role=Role.VOLUNTEER, email="claire@example.org")
    response = client.post(
        reverse("account_login"), {"login": "claire@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("volunteer_home")).context["user"] == user
    assert AuditEntry.objects.filter(code="account.logged_in", actor=user).exists()


def test_it_asks_staff_for_a_second_step_before_signing_in(client):
    user = UserFactory(role=Role.COORDINATOR, email="amina@example.org")
    response = client.post(
        reverse("account_login"), {"login": "amina@example.org", "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    # Not signed in yet: the home page sends them back to sign in.
    assert client.get(reverse("home")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # wrong code: the form again, with an error
    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(user)})
    assert response.status_code == 302
    assert client.get(reverse("people_list")).status_code == 200


def test_it_lets_a_recovery_code_replace_the_authenticator(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = UserFactory(role=Role.PROGRAM_MANAGER, email="marc@example.org")
    code = RecoveryCodes.activate(user).get_unused_codes()[0]
    client.post(reverse("account_login"), {"login": "marc@example.org", "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("people_list")).status_code == 200


def test_it_throttles_fifty_wrong_passwords_and_records_a_lockout(client):
    user = UserFactory(role=Role.COORDINATOR, email="target@example.org")
    outcomes = []
    for _ in range(50):
        response = client.post(
            reverse("account_login"), {"login": "target@example.org", "password": "wrong guess"}
        )
        if response.status_code == 429:
            outcomes.append("locked")  # axes: the account is locked out
        elif "Too many failed login attempts" in response.content.decode():
            outcomes.append("rate-limited")  # allauth: refused without even checking the password
        else:
            outcomes.append("wrong-password")
    # Only the first few attempts are checked at all; every later one is refused.
    assert outcomes.count("wrong-password") <= 10
    assert "wrong-password" not in outcomes[10:]
    assert outcomes[-1] == "locked"
    # Axes keeps a failure count per account and per address; one of them reached the limit.
    most = max(AccessAttempt.objects.values_list("failures_since_start", flat=True))
    assert most >= settings.AXES_FAILURE_LIMIT
    assert AccessFailureLog.objects.filter(username="target@example.org").exists()
    assert AuditEntry.objects.filter(code="account.locked_out", object_pk=str(user.pk)).count() == 1
    # Even the right password is refused during the lockout.
    response = client.post(
        reverse("account_login"), {"login": "target@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_locks_the_account_whatever_address_the_attempts_come_from():
    from django.test import Client

    UserFactory(role=Role.COORDINATOR, email="target@example.org")
    for i in range(12):
        Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post(
            reverse("account_login"), {"login": "target@example.org", "password": "wrong"}
        )
    fresh = Client(REMOTE_ADDR="10.0.1.1")
    response = fresh.post(
        reverse("account_login"), {"login": "target@example.org", "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert "Too many" in response.content.decode()
    assert "_auth_user_id" not in fresh.session


def test_it_sends_password_reset_mail_through_the_outbox_in_the_persons_language(client):
    from accueil.messaging.models import OutboxMessage

    UserFactory(role=Role.VOLUNTEER, email="lucia@example.org", language="es")
    response = client.post(reverse("account_reset_password"), {"email": "lucia@example.org"})
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.to_address == "lucia@example.org"
    assert message.language == "es"
    assert "/accounts/password/reset/key/" in message.body_text
