"""A program's weights: managers only, documented defaults, preview without saving, save with
an audit entry, and errors that keep what was typed."""

import pytest
from django.urls import reverse

from accueil.conftest import MANAGERS, assert_personas
from accueil.core.models import AuditEntry
from accueil.matching import engine
from accueil.matching.features import settings_for
from accueil.matching.models import MatchingSettings

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(coordinator=personas.coordinator)


def _data(**changes) -> dict:
    data = {**engine.Weights().as_dict(), "caseload_limit": 20, "top_n": 10}
    data.update(changes)
    return {k: str(v) for k, v in data.items()}


def test_it_shows_the_settings_to_managers_only(personas, world):
    # The coordinator has the program and still gets 404: weights are a manager's decision.
    url = reverse("matching_settings", args=[world.program.pk])
    assert_personas(personas, url, MANAGERS)
    assert_personas(personas, url, MANAGERS, method="post", data=_data(action="preview"), ok=(200,))


def test_it_gives_404_for_a_program_that_does_not_exist(personas):
    response = personas.client_for("admin").get(reverse("matching_settings", args=[999_999]))
    assert response.status_code == 404


def test_it_shows_each_weight_with_its_help_and_default(personas, world):
    page = (
        personas.client_for("manager")
        .get(reverse("matching_settings", args=[world.program.pk]))
        .content.decode()
    )
    assert "A volunteer speaks a family language. (default: 30)" in page
    assert "(default: 52)" in page  # weeks waited that count, no help text of its own
    assert 'id="id_language_shared_helptext"' in page
    assert 'name="top_n"' in page and 'name="caseload_limit"' in page


def test_it_previews_without_saving(personas, world):
    client = personas.client_for("manager")
    url = reverse("matching_settings", args=[world.program.pk])
    response = client.post(url, _data(language_shared=0, priorities=100, action="preview"))
    assert response.status_code == 200
    (row,) = response.context["preview"]
    assert row["household"] == world.household
    assert row["before"][0][0] == "Alpha Welcome Group"
    assert dict(row["after"])["Alpha Welcome Group"] > dict(row["before"])["Alpha Welcome Group"]
    page = response.content.decode()
    assert "Preview: top groups before and after" in page
    assert 'value="100"' in page  # what was typed stays in the form
    assert settings_for(world.program).language_shared == 30
    assert not AuditEntry.objects.filter(code="matching.settings_changed").exists()


def test_it_saves_and_records_the_change(personas, world):
    client = personas.client_for("manager")
    url = reverse("matching_settings", args=[world.program.pk])
    response = client.post(url, _data(language_shared=45, top_n=5, action="save"))
    assert response.status_code == 302
    saved = MatchingSettings.objects.get(program=world.program)
    assert (saved.language_shared, saved.top_n, saved.updated_by) == (45, 5, personas.manager)
    entry = AuditEntry.objects.get(code="matching.settings_changed")
    assert entry.actor == personas.manager
    assert "The weights are saved." in client.get(url).content.decode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("priorities", "101", "Enter a whole number from 0 to 100."),
        ("region", "-1", "Enter a whole number from 0 to 100."),
        ("urgency_urgent", "lots", "Enter a whole number from 0 to 100."),
        ("caseload_limit", "0", "Enter a whole number from 1 to 200."),
        ("caseload_limit", "201", "Enter a whole number from 1 to 200."),
        ("top_n", "51", "Enter a whole number from 1 to 50."),
        ("top_n", "", "Enter a whole number from 1 to 50."),
    ],
)
def test_it_refuses_a_value_out_of_range_and_keeps_what_was_typed(
    personas, world, field, value, message
):
    client = personas.client_for("admin")
    url = reverse("matching_settings", args=[world.program.pk])
    response = client.post(url, _data(**{field: value}, language_shared=12, action="save"))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page
    assert f'id="id_{field}_error"' in page
    assert "<title>Error:" in page
    assert 'value="12"' in page
    assert settings_for(world.program).language_shared == 30
