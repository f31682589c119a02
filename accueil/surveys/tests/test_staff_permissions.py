"""Who reaches each staff survey page: staff of the survey's program (admins and managers: every
program); the interpreter named on a survey reaches only its entry page; everyone else gets 404,
the same as for a survey that does not exist, and anonymous visitors are sent to sign in."""

import pytest
from django.urls import reverse

from accueil.accounts.models import Role
from accueil.conftest import STAFF, assert_personas
from accueil.factories import ProgramFactory, UserFactory
from accueil.surveys.models import Administration, AdminStatus, Mode
from accueil.volunteers.tests.factories import VolunteerFactory

from .factories import household_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(personas):
    return household_survey(personas.coordinator, instruments=["sps-10"]).administration


@pytest.fixture
def elsewhere():
    """A coordinator of another program: staff, but not of this survey's program."""
    coordinator = UserFactory(role=Role.COORDINATOR, full_name="Olga Otherprogram")
    coordinator.programs.add(ProgramFactory(name="Another program"))
    return coordinator


def test_the_urls_are_named():
    assert reverse("survey_list") == "/surveys/"
    assert reverse("survey_new") == "/surveys/new/"
    assert reverse("survey_import") == "/surveys/import/"
    assert reverse("survey_detail", args=[7]) == "/surveys/7/"
    assert reverse("survey_enter", args=[7]) == "/surveys/7/enter/"
    assert reverse("survey_send", args=[7]) == "/surveys/7/send/"
    assert reverse("survey_cancel", args=[7]) == "/surveys/7/cancel/"


def test_only_staff_reach_the_list_and_the_import_form(personas):
    assert_personas(personas, "/surveys/", STAFF)
    assert_personas(personas, "/surveys/import/", STAFF)


def test_only_staff_of_the_program_open_a_survey(personas, survey, elsewhere):
    url = f"/surveys/{survey.pk}/"
    assert_personas(personas, url, STAFF)
    assert personas.client_for("coordinator").get(url).status_code == 200
    client = personas.client_for("anonymous")
    client.force_login(elsewhere)
    assert client.get(url).status_code == 404


def test_a_survey_that_does_not_exist_is_404_like_one_out_of_reach(personas):
    assert personas.client_for("admin").get("/surveys/999999/").status_code == 404


def test_only_staff_of_the_program_enter_answers(personas, survey, elsewhere):
    url = f"/surveys/{survey.pk}/enter/"
    # The interpreter persona is not named on this survey: 404 like everyone else.
    assert_personas(personas, url, STAFF)
    client = personas.client_for("anonymous")
    client.force_login(elsewhere)
    assert client.get(url).status_code == 404


def test_the_interpreter_named_on_a_survey_reaches_its_entry_page_only(personas, survey):
    Administration.objects.filter(pk=survey.pk).update(interpreter=personas.interpreter)
    personas.interpreter.programs.add(survey.program)
    client = personas.client_for("interpreter")

    assert client.get(f"/surveys/{survey.pk}/enter/").status_code == 200
    assert client.get(f"/surveys/{survey.pk}/").status_code == 404
    assert client.post(f"/surveys/{survey.pk}/send/").status_code == 404
    assert client.post(f"/surveys/{survey.pk}/cancel/", {"reason": "x"}).status_code == 404
    other = household_survey(personas.coordinator, instruments=["sps-10"]).administration
    assert client.get(f"/surveys/{other.pk}/enter/").status_code == 404


def test_only_staff_of_the_program_send_the_link(personas, survey, elsewhere):
    url = f"/surveys/{survey.pk}/send/"
    assert_personas(personas, url, STAFF, method="post", ok=(302,))
    client = personas.client_for("anonymous")
    client.force_login(elsewhere)
    assert client.post(url).status_code == 404
    assert personas.client_for("coordinator").get(url).status_code == 405


def test_only_staff_of_the_program_cancel(personas, survey, elsewhere):
    url = f"/surveys/{survey.pk}/cancel/"
    # Without a reason nothing changes: allowed people see the form again with its error.
    assert_personas(personas, url, STAFF, method="post", ok=(400,))
    client = personas.client_for("anonymous")
    client.force_login(elsewhere)
    assert client.post(url, {"reason": "Moved away"}).status_code == 404
    survey.refresh_from_db()
    assert survey.status == AdminStatus.SENT


def test_only_staff_who_see_the_household_start_its_survey(personas, survey, elsewhere):
    url = f"/surveys/new/?household={survey.household_id}"
    assert_personas(personas, url, STAFF)
    client = personas.client_for("anonymous")
    client.force_login(elsewhere)
    assert client.get(url).status_code == 404


def test_only_staff_who_see_the_volunteer_start_their_survey(personas, elsewhere):
    volunteer = VolunteerFactory(approved=True)
    personas.coordinator.programs.add(volunteer.program)
    url = f"/surveys/new/?person={volunteer.user_id}"
    assert_personas(personas, url, STAFF)
    client = personas.client_for("anonymous")
    client.force_login(elsewhere)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query", ["", "?household=999999", "?person=999999", "?household=1&person=1", "?household=x"]
)
def test_starting_a_survey_needs_one_respondent_that_exists(personas, query):
    assert personas.client_for("admin").get(f"/surveys/new/{query}").status_code == 404


def test_a_coordinator_lists_and_imports_only_for_their_programs(personas, survey, elsewhere):
    client = personas.client_for("anonymous")
    client.force_login(elsewhere)
    html = client.get("/surveys/").content.decode()
    assert f"/surveys/{survey.pk}/" not in html
    form = client.get("/surveys/import/").context["form"]
    assert list(form.fields["program"].queryset) == list(elsewhere.programs.all())


def test_an_interpreter_who_entered_answers_is_not_shown_the_staff_page(personas, survey):
    Administration.objects.filter(pk=survey.pk).update(interpreter=personas.interpreter)
    personas.interpreter.programs.add(survey.program)
    response = survey.responses.get()
    client = personas.client_for("interpreter")

    answer = client.post(
        f"/surveys/{survey.pk}/enter/",
        {"language": "ar", f"r{response.pk}_1": "4", "action": "save"},
    )

    assert answer.status_code == 302 and answer["Location"] == reverse("home")
    survey.refresh_from_db()
    assert survey.status == AdminStatus.SUBMITTED
    assert survey.mode == Mode.INTERPRETER
    assert survey.interpreter == personas.interpreter
    assert survey.interviewer is None
    # The survey is closed: the entry page no longer opens for them.
    assert client.get(f"/surveys/{survey.pk}/enter/").status_code == 302


def test_only_staff_of_the_program_may_name_the_interpreter(personas):
    sent = household_survey(personas.coordinator, instruments=["ucla-3"])
    personas.interpreter.programs.add(sent.administration.program)
    url = reverse("survey_interpreter", args=[sent.administration.pk])
    data = {"interpreter": str(personas.interpreter.pk)}
    assert_personas(personas, url, STAFF, method="post", data=data, ok=(302,))
    sent.administration.refresh_from_db()
    assert sent.administration.interpreter == personas.interpreter
