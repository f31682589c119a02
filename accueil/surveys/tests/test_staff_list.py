"""/surveys/: what each row shows, the filters, and that its queries do not grow with the
number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.matching.tests.factories import waiting_household
from accueil.surveys.models import AdminStatus, Mode, Phase
from accueil.surveys.services import administration_cancel, administration_enter
from accueil.volunteers.tests.factories import VolunteerFactory

from .factories import household_survey, volunteer_survey

pytestmark = pytest.mark.django_db
URL = "/surveys/"


def _completed(survey, by, value=3):
    response = survey.responses.get()
    spec = response.instrument.spec
    return administration_enter(
        survey,
        by=by,
        answers={response.pk: {item.number: value for item in spec.scored_items}},
        mode=Mode.PAPER,
        language="en",
    )


def _rows(html: str) -> int:
    return html.count('<th scope="row"><a href="/surveys/')


def test_each_row_says_who_when_what_and_how_far(personas):
    coordinator = personas.coordinator
    open_one = household_survey(coordinator, instruments=["sps-10"]).administration
    program = open_one.program
    volunteer = VolunteerFactory(
        approved=True, program=program, user=UserFactory(full_name="Daniel Okafor")
    )
    theirs = volunteer_survey(volunteer.user, program=program).administration

    response = personas.client_for("coordinator").get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<a href="/households/{open_one.household_id}/">household #{open_one.household_id}</a>'
        in html
    )
    assert f'<a href="/volunteers/{volunteer.pk}/">Daniel Okafor</a>' in html
    assert "Support from the people in your life (SPS-10)" in html
    assert "Before the match" in html
    assert "Link sent" in html  # the status of both
    assert f"/surveys/{theirs.pk}/" in html
    assert "2 surveys, newest first." in html


def test_it_filters_by_status_phase_program_and_audience(personas):
    coordinator = personas.coordinator
    done = household_survey(coordinator, instruments=["sps-10"]).administration
    program = done.program
    _completed(done, coordinator)
    post = household_survey(
        coordinator, instruments=["sps-10"], phase=Phase.POST, program=program
    ).administration
    cancelled = household_survey(coordinator, instruments=["sps-10"]).administration
    administration_cancel(cancelled, by=coordinator, reason="Moved to another city")
    other_program = ProgramFactory(name="Welcome Groups Ottawa")
    coordinator.programs.add(other_program)
    ottawa = household_survey(
        coordinator,
        instruments=["sps-10"],
        household=waiting_household(other_program, RegionFactory(name="Ottawa")),
    ).administration
    volunteer = VolunteerFactory(approved=True, program=program)
    theirs = volunteer_survey(volunteer.user, program=program).administration
    client = personas.client_for("coordinator")

    def listed(**query):
        html = client.get(URL, query).content.decode()
        return {
            a.pk
            for a in (done, post, cancelled, ottawa, theirs)
            if f'href="/surveys/{a.pk}/"' in html
        }

    assert listed() == {done.pk, post.pk, cancelled.pk, ottawa.pk, theirs.pk}
    assert listed(status="completed") == {done.pk}
    assert listed(status="cancelled") == {cancelled.pk}
    assert listed(status="open") == {post.pk, ottawa.pk, theirs.pk}
    assert listed(phase="post") == {post.pk}
    assert listed(program=other_program.pk) == {ottawa.pk}
    assert listed(audience="volunteer") == {theirs.pk}
    assert listed(audience="household", status="open") == {post.pk, ottawa.pk}
    assert "Show every survey" in client.get(URL, {"phase": "post"}).content.decode()


def test_a_completed_row_says_how_the_answers_were_collected(personas):
    survey = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    _completed(survey, personas.coordinator)

    html = personas.client_for("coordinator").get(URL).content.decode()

    assert "Entered from paper" in html
    assert str(AdminStatus.SUBMITTED.label) in html


def test_an_unknown_filter_value_shows_everything_rather_than_failing(personas):
    household_survey(personas.coordinator, instruments=["sps-10"])
    response = personas.client_for("coordinator").get(URL, {"status": "nonsense", "program": "x"})
    assert response.status_code == 200
    assert _rows(response.content.decode()) == 1


def test_a_manager_sees_every_program_and_a_coordinator_only_theirs(personas):
    mine = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    someone_else = UserFactory(role=Role.COORDINATOR)
    theirs = household_survey(
        someone_else,
        instruments=["sps-10"],
        household=waiting_household(ProgramFactory(name="Elsewhere"), RegionFactory(name="Peel")),
    ).administration

    manager = personas.client_for("manager").get(URL).content.decode()
    coordinator = personas.client_for("coordinator").get(URL).content.decode()

    assert f'href="/surveys/{mine.pk}/"' in manager and f'href="/surveys/{theirs.pk}/"' in manager
    assert f'href="/surveys/{mine.pk}/"' in coordinator
    assert f'href="/surveys/{theirs.pk}/"' not in coordinator


def _grow(coordinator, program, region, count: int) -> None:
    """``count`` more surveys of two questionnaires each, households and volunteers, some
    completed, through the services."""
    for k in range(count):
        if k % 3 == 2:
            volunteer = VolunteerFactory(approved=True, program=program, region=region)
            volunteer_survey(volunteer.user, program=program)
            continue
        survey = household_survey(
            coordinator,
            instruments=["sps-10", "ucla-3"],
            household=waiting_household(program, region),
        ).administration
        if k % 3 == 1:
            responses = list(survey.responses.all())
            administration_enter(
                survey,
                by=coordinator,
                answers={r.pk: {1: 2} for r in responses},
                mode=Mode.INTERVIEW,
                language="ar",
            )


@pytest.mark.parametrize("persona", ["coordinator", "manager"])
def test_it_runs_the_same_number_of_queries_for_3_and_30_surveys(
    personas, persona, django_assert_num_queries
):
    program = ProgramFactory(name="Welcome Groups Toronto")
    region = RegionFactory(name="Toronto")
    personas.coordinator.programs.add(program)
    _grow(personas.coordinator, program, region, 3)
    client = personas.client_for(persona)
    client.get(URL)  # sessions, content types and the like, once

    with CaptureQueriesContext(connection) as three:
        response = client.get(URL)
    assert _rows(response.content.decode()) == 3

    _grow(personas.coordinator, program, region, 27)
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(URL)
    assert _rows(response.content.decode()) == 25  # one page
    assert "30 surveys, newest first." in response.content.decode()
