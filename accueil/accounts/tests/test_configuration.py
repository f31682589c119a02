import pytest
from django.urls import reverse

from accueil.accounts.models import Organisation, Program, Region
from accueil.conftest import MANAGERS, assert_personas
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["organisation", "program", "region"])
def test_it_shows_configuration_forms_to_managers_and_admins_only(personas, kind):
    assert_personas(personas, reverse("config_create", args=[kind]), MANAGERS)


def test_it_shows_edit_forms_to_managers_and_admins_only(personas):
    assert_personas(
        personas, reverse("config_edit", args=["organisation", personas.agency_a.pk]), MANAGERS
    )
    assert_personas(personas, reverse("config_edit", args=["region", RegionFactory().pk]), MANAGERS)
    assert_personas(
        personas, reverse("config_edit", args=["program", ProgramFactory().pk]), MANAGERS
    )


def test_it_answers_404_for_an_unknown_kind_or_record(personas):
    client = personas.client_for("admin")
    assert client.get(reverse("config_create", args=["planet"])).status_code == 404
    assert client.get(reverse("config_edit", args=["region", 99999])).status_code == 404


def test_it_adds_a_partner_agency_and_audits_who_did_it(personas):
    client = personas.client_for("manager")
    response = client.post(
        reverse("config_create", args=["organisation"]),
        {"name": "Westside Newcomer Centre", "kind": "partner", "website": "", "is_active": "on"},
    )
    assert response.status_code == 302
    agency = Organisation.objects.get(name="Westside Newcomer Centre")
    entry = AuditEntry.objects.for_record(agency).get(action=AuditEntry.Action.CREATE)
    assert entry.actor == personas.manager


def test_it_refuses_a_second_host_organisation_and_keeps_the_input(personas):
    client = personas.client_for("admin")
    response = client.post(
        reverse("config_create", args=["organisation"]), {"name": "Another Host", "kind": "host"}
    )
    assert response.status_code == 200
    assert "There is already a host organisation" in response.content.decode()
    assert 'value="Another Host"' in response.content.decode()


def test_it_saves_a_program_with_its_regions(personas):
    toronto, peel = Region.objects.create(name="Toronto"), Region.objects.create(name="Peel")
    client = personas.client_for("admin")
    response = client.post(
        reverse("config_create", args=["program"]),
        {
            "name": "Welcome Groups for protected persons",
            "short_name": "PP groups",
            "regions": [toronto.pk, peel.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    program = Program.objects.get(short_name="PP groups")
    assert set(program.regions.all()) == {toronto, peel}


def test_it_lists_configuration_in_constant_queries(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client_for("admin")
    ProgramFactory().regions.add(Region.objects.create(name="First region"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organisation_list"))
    for i in range(6):
        ProgramFactory().regions.add(Region.objects.create(name=f"Region {i}"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("organisation_list"))
    assert len(many) == len(few)
