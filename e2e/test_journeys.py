"""Whole journeys through the real pages: invitation to first sign-in, two-step sign-in,
language, and what a volunteer may not open."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from playwright.sync_api import expect

from accueil.accounts.models import Invitation, Role, User
from accueil.messaging.models import OutboxMessage
from e2e.live import PASSWORD, Site, code_for_secret, totp_code

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "lantern orchard maple river"


def _invitation_link(site: Site) -> str:
    """The link in the invitation email, pointed at the live server instead of SITE_URL."""
    message = OutboxMessage.objects.get(template="invitation")
    match = re.search(re.escape(settings.SITE_URL) + r"/invite/[^/\s]+/", message.body_text)
    assert match, "the invitation email has no link"
    return match.group(0).replace(settings.SITE_URL, site.base_url, 1)


def test_it_takes_an_invited_coordinator_from_the_email_to_home(site, new_site, admin):
    page = site.page
    site.sign_in(admin)
    expect(page).to_have_url(site.url("/"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invitations").click()
    page.get_by_role("link", name="Invite someone").click()
    main = page.locator("main")
    main.get_by_label("Name", exact=True).fill("Nour Haddad")
    main.get_by_label("Email address").fill("nour.haddad@example.org")
    main.get_by_label("Role").select_option(label="Coordinator")
    main.get_by_label("Language of the invitation").select_option("en")
    main.get_by_role("button", name="Send invitation").click()
    expect(page).to_have_url(site.url("/people/invitations/"))
    expect(page.locator(".notice--success")).to_have_text("Invitation sent to Nour Haddad.")
    expect(main.get_by_role("row", name=re.compile("Nour Haddad"))).to_be_visible()

    # The invited person, on their own device.
    newcomer = new_site()
    page = newcomer.page
    newcomer.page.goto(_invitation_link(newcomer))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    main = page.locator("main")
    expect(main.get_by_label("Your full name")).to_have_value("Nour Haddad")
    main.get_by_label("What should people call you?").fill("Nour")
    main.get_by_label("Choose a password").fill(NEW_PASSWORD)
    main.get_by_label("Type the password again").fill(NEW_PASSWORD)
    main.get_by_role("button", name="Create my account").click()

    # Staff must set up a second step before anything else opens.
    expect(page).to_have_url(newcomer.url("/welcome/mfa/"))
    page.goto(newcomer.url("/people/"))
    expect(page).to_have_url(newcomer.url("/welcome/mfa/"))
    page.get_by_role("link", name="Use an authenticator app").click()
    newcomer.pass_reauthentication("/accounts/2fa/totp/activate/", password=NEW_PASSWORD)

    secret = page.locator("#authenticator_secret").input_value()
    page.locator("main input[name=code]").fill(code_for_secret(secret))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(newcomer.url("/accounts/2fa/recovery-codes/"))
    expect(page.locator("#recovery_codes")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page).to_have_url(newcomer.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Nour")
    assert not newcomer.csp_errors()

    nour = User.objects.get(email="nour.haddad@example.org")
    assert nour.role == Role.COORDINATOR
    assert Authenticator.objects.filter(user=nour, type=Authenticator.Type.TOTP).exists()
    assert Invitation.objects.get(email="nour.haddad@example.org").accepted_user == nour


def test_it_signs_staff_in_with_an_authenticator_code_and_refuses_a_wrong_one(site, coordinator):
    page = site.page
    site.goto("/accounts/login/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(site.url("/accounts/2fa/authenticate/"))

    wrong = f"{(int(totp_code(coordinator)) + 1) % 1_000_000:06d}"
    code = page.locator("main input[name=code]")
    code.fill(wrong)
    page.locator("form[action='/accounts/2fa/authenticate/'] button[type=submit]").click()
    expect(page).to_have_url(site.url("/accounts/2fa/authenticate/"))
    expect(page.locator("main")).to_contain_text("Incorrect code.")
    expect(code).to_have_attribute("aria-invalid", "true")

    code.fill(totp_code(coordinator))
    page.locator("form[action='/accounts/2fa/authenticate/'] button[type=submit]").click()
    expect(page).to_have_url(site.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Cora Coordinator")


def test_it_switches_the_interface_to_arabic_right_to_left_and_back(site, volunteer):
    page = site.page
    site.sign_in(volunteer)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")

    here = page.url
    switcher = page.locator("form.language-switcher")
    expect(switcher.locator("option[value=ar]")).to_have_text(re.compile("^العربي"))
    switcher.locator("select").select_option("ar")
    switcher.get_by_role("button").click()
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(here)
    volunteer.refresh_from_db()
    assert volunteer.language == "ar"

    # The choice follows the person to the next page.
    site.goto(f"/people/{volunteer.pk}/")
    expect(html).to_have_attribute("dir", "rtl")

    switcher.locator("select").select_option("en")
    switcher.get_by_role("button").click()
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    volunteer.refresh_from_db()
    assert volunteer.language == "en"


def test_it_remembers_a_visitors_language_before_sign_in(site):
    page = site.page
    site.goto("/accounts/login/")
    switcher = page.locator("form.language-switcher")
    switcher.locator("select").select_option("ar")
    switcher.get_by_role("button").click()
    expect(page).to_have_url(site.url("/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    site.goto("/accounts/password/reset/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")


def test_it_lets_a_volunteer_sign_in_without_a_second_step_but_not_see_people(site, volunteer):
    page = site.page
    site.sign_in(volunteer)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(nav.get_by_role("link", name="People")).to_have_count(0)

    response = site.goto("/people/")
    assert response.status == 404
    response = site.goto("/people/invitations/")
    assert response.status == 404
