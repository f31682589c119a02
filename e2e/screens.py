"""Every page of the project, each opened in a state a person meets it in, data included.

A screen is a function ``(site, language)`` that creates what the page needs, signs someone in
if the page needs it, and leaves the browser on the page. The accessibility, small-screen and
Content-Security-Policy tests all walk this list, so a new page is added here once.
"""

import re
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.models import AccessAttempt
from django.conf import settings
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
from accueil.volunteers.models import TrainingCompletion, TrainingModule, Volunteer, WelcomeGroup
from accueil.volunteers.selectors_training import published_modules
from accueil.volunteers.services import groups as group_services
from accueil.volunteers.services import training as training_services
from accueil.volunteers.services.application import activation_link
from accueil.volunteers.tests.training_factories import wrong_choice
from e2e import volunteer_data
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


# Volunteers: the public application (nobody signed in).


def _application(site: Site, language: str, *, until: str | None = None) -> None:
    """The browser carries on an application that the pages before ``until`` answered."""
    program = volunteer_data.toronto_program()
    site.take_over_session(
        volunteer_data.application_client(program, language=language, until=until)
    )


@screen("volunteer application, start")
def _apply_start(site: Site, language: str) -> None:
    volunteer_data.toronto_program()
    site.goto("/apply/")
    expect(site.page.locator("main a.button[href='/apply/about/']")).to_be_visible()


@screen("volunteer application, about you")
def _apply_about(site: Site, language: str) -> None:
    volunteer_data.toronto_program()
    site.goto("/apply/about/")
    expect(site.page.locator("input[name=full_name]")).to_be_visible()


def _apply_step(name: str, step: str, selector: str) -> None:
    def show(site: Site, language: str) -> None:
        _application(site, language, until=step)
        site.goto(f"/apply/{step}/")
        expect(site.page.locator(selector).first).to_be_visible()

    screen(name)(show)


_apply_step("volunteer application, gender", "gender", "input[name=gender]")
_apply_step("volunteer application, languages", "languages", "input[name=language_1]")
_apply_step("volunteer application, skills", "skills", "input[name=skills]")
_apply_step("volunteer application, availability", "availability", "input[name=availability]")
_apply_step("volunteer application, location", "location", "input[name=postal_prefix]")
_apply_step("volunteer application, group invite code", "group", "input[name=invite_code]")
_apply_step("volunteer application, motivation", "motivation", "textarea[name=motivation]")
_apply_step("volunteer application, references", "references", "input[name=ref1_name]")
_apply_step("volunteer application, consent", "consent", "input[name=consent]")


@screen("volunteer application, languages, errors")
def _apply_languages_errors(site: Site, language: str) -> None:
    _application(site, language, until="languages")
    site.goto("/apply/languages/")
    site.page.locator("input[name=language_1]").fill("Klingonese")
    site.page.locator("input[name=language_2]").fill("Arabic")
    site.page.locator("main form button[type=submit]").click()
    expect(site.page.locator(".error-summary")).to_be_focused()
    expect(site.page.locator(".error-summary li")).to_have_count(2)


@screen("volunteer application, check answers")
def _apply_check(site: Site, language: str) -> None:
    _application(site, language)
    site.goto("/apply/check/")
    expect(site.page.locator(".summary__action a").first).to_be_visible()


@screen("volunteer application, sent")
def _apply_sent(site: Site, language: str) -> None:
    _application(site, language)
    site.goto("/apply/check/")
    site.page.locator("main form button[type=submit]").click()
    expect_path(site, "/apply/sent/")


@screen("volunteer application, link sent")
def _apply_link_sent(site: Site, language: str) -> None:
    site.goto("/apply/link-sent/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("volunteer application, link does not work")
def _apply_link_invalid(site: Site, language: str) -> None:
    response = site.goto("/apply/resume/not-a-real-token/")
    assert response.status == 404


@screen("volunteer application, already signed in")
def _apply_signed_in(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto("/apply/")
    expect(site.page.locator("main a.button[href='/']")).to_be_visible()


@screen("volunteer application, choose a password")
def _apply_activate(site: Site, language: str) -> None:
    program = volunteer_data.toronto_program()
    volunteer_data.application_client(program, language=language, submit=True)
    address = EmailAddress.objects.get(email="nadia.haddad@example.org")
    site.page.goto(activation_link(address).replace(settings.SITE_URL, site.base_url, 1))
    expect(site.page.locator("input[name=password1]")).to_be_visible()


@screen("volunteer application, confirmation link does not work")
def _apply_activate_invalid(site: Site, language: str) -> None:
    response = site.goto("/apply/account/not-a-real-key/")
    assert response.status == 404


# Volunteers: the public reference form.


def _reference_token(language: str) -> str:
    """A referee's link, as the request email carries it."""
    program = volunteer_data.toronto_program()
    by = volunteer_data.coordinator_of(program)
    nadia = volunteer_data.volunteer_in_screening(program, by=by, language=language)
    reference = nadia.references.get(answered_at__isnull=True)
    token = reference.new_token()
    reference.save()
    return token


@screen("reference form")
def _reference_form(site: Site, language: str) -> None:
    site.goto(f"/volunteers/reference/{_reference_token(language)}/")
    expect(site.page.locator("input[name=known_for]").first).to_be_visible()


@screen("reference form, thank you")
def _reference_thanks(site: Site, language: str) -> None:
    _reference_form(site, language)
    page = site.page
    page.locator("input[name=known_for][value='1_3']").check()
    page.locator("input[name=capacity]").fill("We live on the same street.")
    page.locator("input[name=trust][value=yes]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("input[name=capacity]")).to_have_count(0)


@screen("reference form, link does not work")
def _reference_invalid(site: Site, language: str) -> None:
    response = site.goto("/volunteers/reference/not-a-real-token/")
    assert response.status == 404


# Volunteers: their own pages.


def _nadia_signed_in(site: Site, language: str):
    program = volunteer_data.toronto_program()
    by = volunteer_data.coordinator_of(program)
    volunteer_data.load_modules()
    nadia = volunteer_data.volunteer_in_screening(program, by=by, language=language)
    site.sign_in_session(nadia.user)
    return nadia


@screen("volunteer, what's next")
def _volunteer_home(site: Site, language: str) -> None:
    program = volunteer_data.toronto_program()
    by = volunteer_data.coordinator_of(program)
    volunteer_data.load_modules()
    nadia = volunteer_data.volunteer_in_screening(program, by=by, language=language)
    group = volunteer_data.ready_group(program, by=by)
    group_services.group_join_by_code(user=nadia.user, code=group.invite_code)
    site.sign_in_session(nadia.user)
    site.goto("/me/")
    expect(site.page.locator(".task-list .task")).to_have_count(3)


@screen("volunteer, what's next, no group yet")
def _volunteer_home_no_group(site: Site, language: str) -> None:
    _nadia_signed_in(site, language)
    site.goto("/me/")
    expect(site.page.locator("main a[href='/groups/join/']")).to_be_visible()


@screen("volunteer, my application")
def _my_application(site: Site, language: str) -> None:
    _nadia_signed_in(site, language)
    site.goto("/volunteers/my-application/")
    expect(site.page.locator(".next-steps a").first).to_be_visible()


@screen("volunteer, code of conduct")
def _my_code_of_conduct(site: Site, language: str) -> None:
    _nadia_signed_in(site, language)
    site.goto("/volunteers/my-application/code-of-conduct/")
    expect(site.page.locator("input[name=signed_name]")).to_be_visible()


@screen("volunteer, police check upload")
def _my_police_check(site: Site, language: str) -> None:
    _nadia_signed_in(site, language)
    site.goto("/volunteers/my-application/police-check/")
    expect(site.page.locator("input[name=document]")).to_be_visible()


# Volunteers: training.

TRAINING_MODULE = "boundaries-confidentiality-money"  # it has handouts


def _trainee(site: Site, language: str):
    nadia = _nadia_signed_in(site, language)
    modules = list(published_modules())
    TrainingCompletion.objects.create(user=nadia.user, module=modules[0])
    return nadia, TrainingModule.objects.get(slug=TRAINING_MODULE)


def _fail_quiz(user, module) -> None:
    wrong = {q.pk: [wrong_choice(q).pk] for q in module.questions.prefetch_related("choices")}
    training_services.quiz_submit(user=user, module=module, answers=wrong)


@screen("training")
def _training_list(site: Site, language: str) -> None:
    nadia, module = _trainee(site, language)
    _fail_quiz(nadia.user, module)
    site.goto("/training/")
    expect(site.page.locator(".training-task")).to_have_count(5)


@screen("training module, with attempts")
def _training_module(site: Site, language: str) -> None:
    nadia, module = _trainee(site, language)
    _fail_quiz(nadia.user, module)
    site.goto(f"/training/{module.slug}/")
    expect(site.page.locator(".training-attempts li")).to_have_count(1)


@screen("training quiz")
def _training_quiz(site: Site, language: str) -> None:
    _nadia, module = _trainee(site, language)
    site.goto(f"/training/{module.slug}/quiz/")
    expect(site.page.locator(".quiz-question")).to_have_count(module.questions.count())


@screen("training quiz, not passed")
def _training_quiz_failed(site: Site, language: str) -> None:
    _training_quiz(site, language)
    module = TrainingModule.objects.get(slug=TRAINING_MODULE)
    for question in module.questions.prefetch_related("choices"):
        site.page.locator(f"input[value='{wrong_choice(question).pk}']").check()
    site.page.locator("main form.quiz button[type=submit]").click()
    expect(site.page.locator(".quiz-result")).to_be_focused()
    expect(site.page.locator(".quiz-question--review").first).to_be_visible()


@screen("training certificate, nothing passed yet")
def _training_certificate_empty(site: Site, language: str) -> None:
    site.sign_in_session(UserFactory(role=Role.VOLUNTEER, language=language))
    site.goto("/training/certificate.pdf")
    expect(site.page.locator("h1")).to_be_visible()


@screen("training overview")
def _training_overview(site: Site, language: str) -> None:
    manager = UserFactory(role=Role.PROGRAM_MANAGER, full_name="Mona Manager", language=language)
    program = volunteer_data.toronto_program()
    volunteer_data.load_modules()
    volunteer_data.ready_group(program, by=manager)
    nadia = volunteer_data.volunteer(program, "Nadia Haddad")
    _fail_quiz(nadia.user, TrainingModule.objects.get(slug=TRAINING_MODULE))
    site.sign_in_session(manager)
    site.goto("/training/overview/")
    expect(site.page.locator("table tbody tr")).to_have_count(5)


# Volunteers: Welcome Groups.


def _groups(language: str):
    """Staff of the program; a ready group, one short of members, and one without a lead."""
    program = volunteer_data.toronto_program()
    by = volunteer_data.coordinator_of(program, language=language)
    volunteer_data.load_modules()
    ready = volunteer_data.ready_group(program, by=by)
    friend = volunteer_data.approved_volunteer(program, "Kwame Asante")
    short = volunteer_data.welcome_group(program, by=by, name="Danforth Neighbours", lead=friend)
    nadia = volunteer_data.volunteer_in_screening(program, by=by)
    group_services.group_join_by_code(user=nadia.user, code=short.invite_code)
    leaderless = WelcomeGroup.objects.create(
        name="High Park Circle", program=program, region=volunteer_data.toronto(program)
    )
    # Waiting for a group: the suggestions.
    volunteer_data.approved_volunteer(
        program, "Hamid Rahimi", languages=[("fa", "native"), ("ar", "fluent")]
    )
    volunteer_data.approved_volunteer(
        program,
        "Chloé Gagnon",
        languages=[("fr", "native")],
        region=program.regions.get(name="Peel"),
    )
    return by, ready, short, leaderless


@screen("Welcome Groups")
def _group_list(site: Site, language: str) -> None:
    by, *_groups_made = _groups(language)
    site.sign_in_session(by)
    site.goto("/groups/")
    expect(site.page.locator("table tbody tr")).to_have_count(3)


@screen("Welcome Group, for staff")
def _group_detail_staff(site: Site, language: str) -> None:
    by, _ready, short, _leaderless = _groups(language)
    gone = volunteer_data.approved_volunteer(short.program, "Sam Leclerc")
    membership = group_services.group_add_member(group=short, user=gone.user, by=by)
    group_services.group_remove_member(membership=membership, by=by)
    site.sign_in_session(by)
    site.goto(f"/groups/{short.pk}/")
    expect(site.page.locator(".gate--todo")).to_be_visible()
    expect(site.page.locator("main form[action$='/members/'] button").first).to_be_visible()


@screen("Welcome Group, for a member")
def _group_detail_member(site: Site, language: str) -> None:
    _by, ready, _short, _leaderless = _groups(language)
    member = ready.memberships.exclude(role="lead").first().user
    services.user_set_language(user=member, language=language)
    site.sign_in_session(member)
    site.goto(f"/groups/{ready.pk}/")
    expect(site.page.locator(".gate--ok")).to_be_visible()


@screen("join a group, wrong code")
def _group_join_error(site: Site, language: str) -> None:
    _nadia_signed_in(site, language)
    site.goto("/groups/join/")
    site.page.locator("input[name=code]").fill("NOPE2345")
    site.page.locator("main form button[type=submit]").click()
    expect(site.page.locator(".error-summary")).to_be_focused()


@screen("start a group")
def _group_start(site: Site, language: str) -> None:
    _nadia_signed_in(site, language)
    site.goto("/groups/start/")
    expect(site.page.locator("input[name=name]")).to_be_visible()


@screen("create a Welcome Group")
def _group_create(site: Site, language: str) -> None:
    program = volunteer_data.toronto_program()
    site.sign_in_session(volunteer_data.coordinator_of(program, language=language))
    site.goto("/groups/new/")
    expect(site.page.locator("select[name=program]")).to_be_visible()


# Volunteers: screening, for staff.


def _screening(site: Site, language: str) -> Volunteer:
    """Nadia half-way through her screening; her coordinator signed in."""
    program = volunteer_data.toronto_program()
    by = volunteer_data.coordinator_of(program, language=language)
    volunteer_data.load_modules()
    nadia = volunteer_data.volunteer_in_screening(program, by=by)
    site.sign_in_session(by)
    return nadia


@screen("volunteers pipeline, filtered")
def _pipeline(site: Site, language: str) -> None:
    program = volunteer_data.toronto_program()
    by = volunteer_data.coordinator_of(program, language=language)
    volunteer_data.pipeline(program, by=by)
    site.sign_in_session(by)
    region = volunteer_data.toronto(program)
    site.goto(f"/volunteers/?region={region.pk}&language=en")
    expect(site.page.locator("table.pipeline tbody tr")).to_have_count(4)


@screen("volunteer, for staff")
def _volunteer_detail(site: Site, language: str) -> None:
    nadia = _screening(site, language)
    site.goto(f"/volunteers/{nadia.pk}/")
    expect(site.page.locator(".task-list__item")).to_have_count(6)


def _screening_step(name: str, step_type: str, selector: str) -> None:
    def show(site: Site, language: str) -> None:
        nadia = _screening(site, language)
        site.goto(f"/volunteers/{nadia.pk}/steps/{step_type}/")
        expect(site.page.locator(selector).first).to_be_visible()

    screen(name)(show)


_screening_step("screening step, interview", "interview", "input[name='record-outcome']")
_screening_step("screening step, references", "references", ".reference-answer")
_screening_step("screening step, police check", "police_check", "input[name='record-issued_on']")
_screening_step("screening step, code of conduct", "code_of_conduct", ".cc-details")
_screening_step("screening step, orientation", "orientation", "input[name='record-attended_on']")
_screening_step("screening step, training", "training", "textarea[name='mark_done-note']")


@screen("approve a volunteer, not possible yet")
def _volunteer_approve_blocked(site: Site, language: str) -> None:
    nadia = _screening(site, language)
    site.goto(f"/volunteers/{nadia.pk}/approve/")
    expect(site.page.locator("main .notice li").first).to_be_visible()


@screen("change a volunteer's status")
def _volunteer_status(site: Site, language: str) -> None:
    nadia = _screening(site, language)
    site.goto(f"/volunteers/{nadia.pk}/status/")
    expect(site.page.locator("input[name=status]").first).to_be_visible()


@screen("reference taken by phone")
def _reference_phone(site: Site, language: str) -> None:
    nadia = _screening(site, language)
    reference = nadia.references.get(answered_at__isnull=True)
    site.goto(f"/volunteers/{nadia.pk}/references/{reference.pk}/phone/")
    expect(site.page.locator("input[name=capacity]")).to_be_visible()


# The households and matching pages register themselves in the same registry.
from e2e import (  # noqa: E402, F401
    screens_households,
    screens_matches,
    screens_matching,
    screens_surveys,
    screens_surveys_report,
    screens_surveys_staff,
)
