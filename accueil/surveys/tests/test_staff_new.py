"""/surveys/new/: staff start a survey by hand for a household or a volunteer they can see, and
the Surveys panels of the household, volunteer and match pages that lead there."""

import pytest

from accueil.matches.models import MatchStatus
from accueil.matches.tests.factories import in_state
from accueil.newcomers.models import Household
from accueil.surveys.models import Administration, AdminStatus, Phase, ProgramSurveySettings
from accueil.volunteers.tests.factories import VolunteerFactory

from .factories import household_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    return household_survey(personas.coordinator, instruments=["sps-10"]).administration.household


def _slugs(administration):
    return [r.instrument.slug for r in administration.responses.select_related("instrument")]


def test_a_household_survey_defaults_to_the_programs_plan(personas, household):
    client = personas.client_for("coordinator")
    url = f"/surveys/new/?household={household.pk}"
    page = client.get(url).content.decode()
    assert "Tick none to use the program&#x27;s plan:" in page

    response = client.post(url, {"phase": Phase.POST})

    created = Administration.objects.exclude(status=AdminStatus.SENT).get()
    assert response.status_code == 302 and response["Location"] == f"/surveys/{created.pk}/"
    assert created.household == household and created.phase == Phase.POST
    assert created.slot == ""  # by hand: not one of the automatic slots
    assert created.status == AdminStatus.PENDING  # nothing sent yet
    plan = ProgramSurveySettings.for_program(household.program).plan("household", "post")
    assert _slugs(created) == plan


def test_chosen_questionnaires_and_the_match_are_kept(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    client = personas.client_for("coordinator")

    client.post(
        f"/surveys/new/?household={match.household_id}",
        {"phase": Phase.PRE, "instruments": ["ucla-3", "sps-5"], "match": str(match.pk)},
    )

    created = Administration.objects.get(household_id=match.household_id, slot="")
    assert sorted(_slugs(created)) == ["sps-5", "ucla-3"]
    assert created.match == match


def test_a_volunteer_survey_offers_only_questionnaires_for_volunteers(personas):
    volunteer = VolunteerFactory(approved=True)
    personas.coordinator.programs.add(volunteer.program)
    client = personas.client_for("coordinator")
    url = f"/surveys/new/?person={volunteer.user_id}"

    offered = dict(client.get(url).context["form"].fields["instruments"].choices)
    assert "volunteer-prepost" in offered and "match-satisfaction" in offered
    assert "sps-24" not in offered

    client.post(url, {"phase": Phase.PRE})
    created = Administration.objects.get(person=volunteer.user)
    assert _slugs(created) == ["volunteer-prepost"]
    assert created.program == volunteer.program


def test_without_a_phase_the_form_says_so(personas, household):
    response = personas.client_for("coordinator").post(
        f"/surveys/new/?household={household.pk}", {"instruments": ["nonsense"]}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_phase_0">Choose before or after the match.</a>' in html
    assert "Choose questionnaires from the list." in html
    assert Administration.objects.count() == 1


def test_the_household_page_lists_its_surveys_and_offers_to_start_one(personas, household):
    survey = household.survey_administrations.get()
    html = personas.client_for("coordinator").get(f"/households/{household.pk}/").content.decode()
    assert 'id="surveys-title"' in html
    assert f'href="/surveys/{survey.pk}/"' in html
    assert f'href="/surveys/new/?household={household.pk}"' in html


def test_the_volunteer_page_offers_to_start_a_survey(personas):
    volunteer = VolunteerFactory(approved=True)
    personas.coordinator.programs.add(volunteer.program)
    html = personas.client_for("coordinator").get(f"/volunteers/{volunteer.pk}/").content.decode()
    assert "No survey yet." in html
    assert f'href="/surveys/new/?person={volunteer.user_id}"' in html


def test_the_match_page_lists_both_sides_surveys_about_it(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    survey = household_survey(
        personas.coordinator,
        household=Household.objects.get(pk=match.household_id),
        instruments=["sps-10"],
        phase=Phase.POST,
        match=match,
    ).administration
    unrelated = household_survey(personas.coordinator, instruments=["sps-10"]).administration

    html = personas.client_for("coordinator").get(f"/matches/{match.pk}/").content.decode()

    assert 'id="panel-surveys-title"' in html
    assert f'href="/surveys/{survey.pk}/"' in html
    assert f'href="/surveys/{unrelated.pk}/"' not in html


@pytest.mark.parametrize(
    "query", ["household=²", "person=²", "household=٣", "household=1.5", "household=" + "9" * 30]
)
def test_an_id_that_is_not_a_plain_number_is_not_found(personas, query):
    # "²".isdigit() is True but int("²") raises: it must be a 404, never a 500.
    response = personas.client_for("coordinator").get(f"/surveys/new/?{query}")
    assert response.status_code == 404
