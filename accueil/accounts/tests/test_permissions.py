"""Every page of the accounts app, requested by every persona."""

import pytest
from django.urls import reverse

from accueil.accounts import services
from accueil.accounts.models import Role
from accueil.conftest import MANAGERS, PERSONAS, STAFF, assert_personas

pytestmark = pytest.mark.django_db

EVERYONE = set(PERSONAS) - {"anonymous"}


def test_it_shows_home_to_every_signed_in_person(personas):
    # Volunteers and interpreters are sent on to their own "what's next" page.
    assert_personas(personas, reverse("home"), EVERYONE, ok=(200, 302))


def test_it_lists_people_to_staff_only(personas):
    assert_personas(personas, reverse("people_list"), STAFF)


def test_it_shows_a_person_to_staff_and_to_themselves_only(personas):
    url = reverse("person_detail", args=[personas.volunteer.pk])
    assert_personas(personas, url, STAFF | {"volunteer"})


def test_it_hides_a_missing_person_like_a_forbidden_one(personas):
    assert_personas(personas, reverse("person_detail", args=[999999]), set())


def test_it_lists_invitations_to_staff_only(personas):
    assert_personas(personas, reverse("invitation_list"), STAFF)


def test_it_shows_the_invitation_form_to_staff_only(personas):
    assert_personas(personas, reverse("invitation_create"), STAFF)


def test_it_lists_organisations_to_staff_only(personas):
    assert_personas(personas, reverse("organisation_list"), STAFF)


def test_it_lets_staff_only_resend_and_revoke(personas):
    invitation = services.invitation_create(
        email="new@example.org",
        full_name="New Person",
        role=Role.VOLUNTEER,
        organisation=personas.admin.organisation,
        language="en",
        by=personas.admin,
    )
    assert_personas(
        personas,
        reverse("invitation_resend", args=[invitation.pk]),
        STAFF,
        method="post",
        ok=(302,),
    )
    # Revoking works once; after that the staff are redirected with a message, others still 404.
    assert_personas(
        personas,
        reverse("invitation_revoke", args=[invitation.pk]),
        STAFF,
        method="post",
        ok=(302,),
    )


def test_it_shows_the_audit_trail_to_managers_and_admins_only(personas):
    assert_personas(personas, reverse("audit_list"), MANAGERS)


def test_it_shows_failed_messages_to_managers_and_admins_only(personas):
    assert_personas(personas, reverse("outbox_failed"), MANAGERS)


def test_it_shows_the_mfa_page_to_every_signed_in_person(personas):
    # Those who need nothing more are sent home.
    assert_personas(personas, reverse("mfa_required"), EVERYONE, ok=(200, 302))
