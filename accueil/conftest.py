"""Named personas for every role, and a helper that checks a URL against all of them."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accueil.accounts.models import Organisation, Role
from accueil.factories import OrganisationFactory, UserFactory

PERSONAS = (
    "admin",
    "manager",
    "coordinator",
    "volunteer",
    "interpreter",
    "partner_a",
    "partner_b",
    "outsider",
    "anonymous",
)
STAFF = {"admin", "manager", "coordinator"}
MANAGERS = {"admin", "manager"}


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: the test client runs requests in the test's
    thread, and a signed-in person's language stays active after their request."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class Personas:
    admin: object
    manager: object
    coordinator: object
    volunteer: object
    interpreter: object
    partner_a: object
    partner_b: object
    outsider: object
    agency_a: Organisation
    agency_b: Organisation

    def client_for(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(getattr(self, name))
        return client


@pytest.fixture
def personas(db) -> Personas:
    agency_a = OrganisationFactory(name="Agency A")
    agency_b = OrganisationFactory(name="Agency B")
    return Personas(
        admin=UserFactory(role=Role.ADMIN, full_name="Ada Admin", email="admin@example.org"),
        manager=UserFactory(
            role=Role.PROGRAM_MANAGER, full_name="Max Manager", email="manager@example.org"
        ),
        coordinator=UserFactory(
            role=Role.COORDINATOR, full_name="Cora Coordinator", email="coordinator@example.org"
        ),
        volunteer=UserFactory(
            role=Role.VOLUNTEER, full_name="Val Volunteer", email="volunteer@example.org"
        ),
        interpreter=UserFactory(
            role=Role.INTERPRETER, full_name="Ines Interpreter", email="interpreter@example.org"
        ),
        partner_a=UserFactory(
            role=Role.PARTNER_REFERRER,
            organisation=agency_a,
            full_name="Pat Partner",
            email="partner-a@example.org",
        ),
        partner_b=UserFactory(
            role=Role.PARTNER_REFERRER,
            organisation=agency_b,
            full_name="Bea Partner",
            email="partner-b@example.org",
        ),
        # Signed in, but with no part in anything: must see nothing that is not theirs.
        outsider=UserFactory(
            role=Role.VOLUNTEER, full_name="Otto Outsider", email="outsider@example.org"
        ),
        agency_a=agency_a,
        agency_b=agency_b,
    )


def assert_personas(
    personas: Personas, url: str, allowed: set[str], *, method: str = "get", data=None, ok=(200,)
):
    """Request ``url`` as every persona. Allowed personas get one of ``ok``; every other signed-in
    persona gets 404 (never 403: a refusal must not confirm the page or record exists);
    anonymous is sent to sign in unless allowed."""
    for name in PERSONAS:
        response = getattr(personas.client_for(name), method)(url, data or {})
        if name in allowed:
            assert response.status_code in ok, (
                f"{name} should reach {url}, got {response.status_code}"
            )
        elif name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                f"anonymous should be sent to sign in from {url}, got {response.status_code}"
            )
        else:
            assert response.status_code == 404, (
                f"{name} must get 404 at {url}, got {response.status_code}"
            )
