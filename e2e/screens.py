"""Every page of the project, each opened in a state a person meets it in, data included.

A screen is a function ``(site, language)`` that creates what the page needs, signs someone in
if the page needs it, and leaves the browser on the page. The accessibility, small-screen and
Content-Security-Policy tests all walk this list, so a new page is added here once.
"""

import re
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.models import AccessAttempt
from django.utils import timezone
from playwright.sync_api import expect

from accueil.accounts import services
from accueil.accounts.models import Invitation, Role
from accueil.factories import (
    OrganisationFactory,
    ProgramFactory,
    RegionFactory,
    UserFactory,
    host_organisation,
)
from accueil.messaging.models import Channel, OutboxMessage
from e2e.live import PASSWORD, Site

SCREENS = {}


def screen(name: str):
    def register(function):
        SCREENS[name] = function
        return function

    return register


def expect_path(site: Site, path: str) -> None:
    expect(site.page).to_have_url(re.compile("^" + re.escape(site.url(path)) + r"(\?.*)?$"))


def _staff(language: str, **kwargs):
    return UserFactory(role=Role.ADMIN, full_name="Ada Admin", language=language, **kwargs)


def _a_bit_of_everything(admin) -> None:
    """Enough data for the staff pages to show every kind of row they have."""
    program = ProgramFactory(
        name="Welcome Groups Toronto", description="Groups in the Greater Toronto Area."
    )
    program.regions.set([RegionFactory(name="Toronto"), RegionFactory(name="Peel")])
    agency = OrganisationFactory(name="Newcomer Services Agency")
    UserFactory(role=Role.VOLUNTEER, full_name="Val Volunteer")
    UserFactory(role=Role.PARTNER_REFERRER, full_name="Pat Partner", organisation=agency)
    services.invitation_create(
        email="new.coordinator@example.org",
        full_name="Nour Haddad",
        role=Role.COORDINATOR,
        organisation=host_organisation(),
        programs=[program],
        language="ar",
        by=admin,
    )


def _invitation(language: str) -> str:
    """A pending invitation; returns its token (only the email carries it otherwise)."""
    by = _staff("en")
    invitation = Invitation(
        email="invited@example.org",
        full_name="Samira Invited",
        role=Role.VOLUNTEER,
        organisation=host_organisation(),
        language=language,
        invited_by=by,
    )
    token = invitation.new_token()
    invitation.save()
    return token


# Pages anyone can open.


@screen("sign in")
def _sign_in(site: Site, language: str) -> None:
    site.goto("/accounts/login/")
    expect(site.page.locator("input[name=login]")).to_be_visible()


@screen("sign in, wrong password")
def _sign_in_wrong_password(site: Site, language: str) -> None:
    user = UserFactory(language=language)
    site.goto("/accounts/login/")
    site.page.locator("input[name=login]").fill(user.email)
    site.page.locator("input[name=password]").fill("not the password")
    site.page.locator("main form button[type=submit]").click()
    expect(site.page.locator(".error-summary")).to_be_visible()


@screen("sign up is closed")
def _signup_closed(site: Site, language: str) -> None:
    site.goto("/accounts/signup/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("password reset")
def _password_reset(site: Site, language: str) -> None:
    site.goto("/accounts/password/reset/")
    expect(site.page.locator("input[name=email]")).to_be_visible()


@screen("password reset done")
def _password_reset_done(site: Site, language: str) -> None:
    site.goto("/accounts/password/reset/done/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("password reset, new password")
def _password_reset_from_key(site: Site, language: str) -> None:
    user = UserFactory(language=language)
    key = default_token_generator.make_token(user)
    site.goto(f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{key}/")
    expect(site.page.locator("input[name=password1]")).to_be_visible()


@screen("password reset, new password saved")
def _password_reset_from_key_done(site: Site, language: str) -> None:
    site.goto("/accounts/password/reset/key/done/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("invitation")
def _invitation_accept(site: Site, language: str) -> None:
    site.goto(f"/invite/{_invitation(language)}/")
    expect(site.page.locator("input[name=password1]")).to_be_visible()


@screen("invitation, errors")
def _invitation_accept_errors(site: Site, language: str) -> None:
    site.goto(f"/invite/{_invitation(language)}/")
    site.page.locator("input[name=full_name]").fill("")
    site.page.locator("input[name=password1]").fill("short")
    site.page.locator("input[name=password2]").fill("different")
    site.page.locator("main form button[type=submit]").click()
    expect(site.page.locator(".error-summary")).to_be_focused()


@screen("invitation, link does not work")
def _invitation_invalid(site: Site, language: str) -> None:
    response = site.goto("/invite/not-a-real-token/")
    assert response.status == 404


@screen("locked out")
def _locked_out(site: Site, language: str) -> None:
    user = UserFactory(language=language)
    AccessAttempt.objects.create(
        username=user.email,
        ip_address="127.0.0.1",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=100,
    )
    site.goto("/accounts/login/")
    site.page.locator("input[name=login]").fill(user.email)
    site.page.locator("input[name=password]").fill(PASSWORD)
    site.page.locator("main form button[type=submit]").click()
    # The lock-out page, not the sign-in form again with an error.
    expect(site.page.locator("main a[href='/accounts/password/reset/']")).to_be_visible()
    expect(site.page.locator("input[name=login]")).to_have_count(0)


# The second sign-in step and managing it.


@screen("two-step verification at sign-in")
def _mfa_authenticate(site: Site, language: str) -> None:
    user = UserFactory(role=Role.COORDINATOR, language=language)
    site.goto("/accounts/login/")
    site.page.locator("input[name=login]").fill(user.email)
    site.page.locator("input[name=password]").fill(PASSWORD)
    site.page.locator("main form button[type=submit]").click()
    expect_path(site, "/accounts/2fa/authenticate/")
    expect(site.page.locator("input[name=code]")).to_be_visible()


@screen("two-step verification at sign-in, wrong code")
def _mfa_authenticate_wrong_code(site: Site, language: str) -> None:
    _mfa_authenticate(site, language)
    site.page.locator("input[name=code]").fill("000000")
    site.page.locator("form[action='/accounts/2fa/authenticate/'] button[type=submit]").click()
    expect(site.page.locator("input[name=code]")).to_have_attribute("aria-invalid", "true")


@screen("set up two-step verification first")
def _mfa_required(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.COORDINATOR, language=language, mfa=False))
    site.goto("/")
    expect_path(site, "/welcome/mfa/")


@screen("security (two-step verification)")
def _mfa_index(site: Site, language: str) -> None:
    user = UserFactory(role=Role.COORDINATOR, language=language)
    RecoveryCodes.activate(user)
    site.sign_in_session(user)
    site.goto("/accounts/2fa/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("security, nothing set up")
def _mfa_index_empty(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto("/accounts/2fa/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("confirm your password")
def _reauthenticate(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.COORDINATOR, language=language, mfa=False))
    site.goto("/accounts/2fa/totp/activate/")
    expect_path(site, "/accounts/reauthenticate/")


def _reauthenticated(site: Site, user, path: str) -> None:
    site.sign_in_session(user)
    site.goto(path)
    site.pass_reauthentication(path)


@screen("authenticator app setup")
def _totp_activate(site: Site, language: str) -> None:
    user = UserFactory(role=Role.COORDINATOR, language=language, mfa=False)
    _reauthenticated(site, user, "/accounts/2fa/totp/activate/")
    expect(site.page.locator("#authenticator_secret")).to_be_visible()


@screen("authenticator app setup, wrong code")
def _totp_activate_wrong_code(site: Site, language: str) -> None:
    _totp_activate(site, language)
    site.page.locator("input[name=code]").fill("000000")
    site.page.locator("main form button[type=submit]").click()
    expect(site.page.locator("input[name=code]")).to_have_attribute("aria-invalid", "true")


@screen("authenticator app removal")
def _totp_deactivate(site: Site, language: str) -> None:
    user = UserFactory(role=Role.VOLUNTEER, language=language, mfa=True)
    _reauthenticated(site, user, "/accounts/2fa/totp/deactivate/")


@screen("recovery codes")
def _recovery_codes(site: Site, language: str) -> None:
    user = UserFactory(role=Role.COORDINATOR, language=language)
    RecoveryCodes.activate(user)
    _reauthenticated(site, user, "/accounts/2fa/recovery-codes/")
    expect(site.page.locator("#recovery_codes")).to_be_visible()


@screen("new recovery codes")
def _recovery_codes_generate(site: Site, language: str) -> None:
    user = UserFactory(role=Role.COORDINATOR, language=language)
    RecoveryCodes.activate(user)
    _reauthenticated(site, user, "/accounts/2fa/recovery-codes/generate/")


@screen("security key setup")
def _webauthn_add(site: Site, language: str) -> None:
    user = UserFactory(role=Role.COORDINATOR, language=language, mfa=False)
    _reauthenticated(site, user, "/accounts/2fa/webauthn/add/")


@screen("security keys")
def _webauthn_list(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.COORDINATOR, language=language))
    site.goto("/accounts/2fa/webauthn/")
    expect(site.page.locator("h1")).to_be_visible()


# Other account pages allauth serves.


@screen("change password")
def _password_change(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto("/accounts/password/change/")
    expect(site.page.locator("input[name=password1]")).to_be_visible()


@screen("email addresses")
def _email(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto("/accounts/email/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("sign out")
def _sign_out(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto("/accounts/logout/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("invitation while signed in")
def _invitation_signed_in(site: Site, language: str) -> None:
    token = _invitation(language)
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto(f"/invite/{token}/")
    expect(site.page.locator("h1")).to_be_visible()


# Signed-in pages.


@screen("home, staff")
def _home_staff(site: Site, language: str) -> None:
    admin = _staff(language)
    _a_bit_of_everything(admin)
    site.sign_in_session(admin)
    site.goto("/")
    expect(site.page.locator(".cards")).to_be_visible()


@screen("home, volunteer")
def _home_volunteer(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto("/")
    expect(site.page.get_by_role("heading", level=1)).to_be_visible()


@screen("people")
def _people(site: Site, language: str) -> None:
    admin = _staff(language)
    _a_bit_of_everything(admin)
    site.sign_in_session(admin)
    site.goto("/people/")
    expect(site.page.locator("table")).to_be_visible()


@screen("person")
def _person(site: Site, language: str) -> None:
    admin = _staff(language)
    _a_bit_of_everything(admin)
    volunteer = UserFactory(role=Role.VOLUNTEER, full_name="Vera Volunteer")
    services.user_set_language(user=volunteer, language="ar")
    site.sign_in_session(admin)
    site.goto(f"/people/{volunteer.pk}/")
    expect(site.page.locator(".timeline")).to_be_visible()


@screen("person, themselves")
def _person_self(site: Site, language: str) -> None:
    volunteer = UserFactory(role=Role.VOLUNTEER, language=language)
    site.sign_in_session(volunteer)
    site.goto(f"/people/{volunteer.pk}/")
    expect(site.page.locator(".summary")).to_be_visible()


@screen("invitations")
def _invitations(site: Site, language: str) -> None:
    admin = _staff(language)
    _a_bit_of_everything(admin)
    site.sign_in_session(admin)
    site.goto("/people/invitations/")
    expect(site.page.locator("table .actions button").first).to_be_visible()


@screen("invite someone")
def _invitation_form(site: Site, language: str) -> None:
    admin = _staff(language)
    ProgramFactory(name="Welcome Groups Toronto")
    site.sign_in_session(admin)
    site.goto("/people/invitations/new/")
    expect(site.page.locator("input[name=email]")).to_be_visible()


@screen("invite someone, errors")
def _invitation_form_errors(site: Site, language: str) -> None:
    admin = _staff(language)
    ProgramFactory(name="Welcome Groups Toronto")
    OrganisationFactory(name="Newcomer Services Agency")
    site.sign_in_session(admin)
    site.goto("/people/invitations/new/")
    site.page.locator("input[name=email]").fill("not an address")
    site.page.locator("select[name=role]").select_option(Role.PARTNER_REFERRER.value)
    site.page.locator("main form button[type=submit]").click()
    expect(site.page.locator(".error-summary")).to_be_focused()


@screen("organisations")
def _organisations(site: Site, language: str) -> None:
    admin = _staff(language)
    _a_bit_of_everything(admin)
    site.sign_in_session(admin)
    site.goto("/organisations/")
    expect(site.page.locator("table")).to_be_visible()


@screen("failed messages")
def _failed_messages(site: Site, language: str) -> None:
    admin = _staff(language)
    OutboxMessage.objects.create(
        channel=Channel.EMAIL,
        template="invitation",
        recipient=UserFactory(full_name="Val Volunteer"),
        to_address="volunteer@example.org",
        language="en",
        subject="You are invited to join Accueil",
        body_text="…",
        idempotency_key="e2e-failed-1",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        last_error="550 5.1.1 The email account that you tried to reach does not exist.",
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    site.sign_in_session(admin)
    site.goto("/messages/failed/")
    expect(site.page.locator("table .button")).to_be_visible()


@screen("audit trail")
def _audit(site: Site, language: str) -> None:
    admin = _staff(language)
    _a_bit_of_everything(admin)
    site.sign_in_session(admin)
    site.goto("/audit/")
    expect(site.page.locator("table tbody tr").first).to_be_visible()


@screen("audit trail, errors")
def _audit_errors(site: Site, language: str) -> None:
    admin = _staff(language)
    site.sign_in_session(admin)
    site.goto("/audit/?record=nonsense")
    expect(site.page.locator(".error-summary")).to_be_visible()
