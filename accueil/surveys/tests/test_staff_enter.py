"""/surveys/<pk>/enter/: every question on one page, read in the respondent's language with the
staff member's beside it; how the answers were collected; errors that keep everything typed."""

from html import unescape

import pytest

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, UserFactory
from accueil.surveys.models import AdminStatus, Answer, Mode
from accueil.volunteers.tests.factories import VolunteerFactory

from .factories import household_survey, volunteer_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(personas):
    return household_survey(personas.coordinator, instruments=["sps-10"]).administration


@pytest.fixture
def interpreter(survey):
    person = UserFactory(role=Role.INTERPRETER, full_name="Yusuf Karimi")
    person.programs.add(survey.program)
    return person


def _url(survey, query: str = "") -> str:
    return f"/surveys/{survey.pk}/enter/{query}"


def _answers(survey, values: dict[int, str]) -> dict[str, str]:
    response = survey.responses.get()
    return {f"r{response.pk}_{number}": value for number, value in values.items()}


def test_the_questions_are_in_the_respondents_language_with_the_staffs_beside_them(
    personas, survey
):
    html = unescape(personas.client_for("coordinator").get(_url(survey)).content.decode())

    assert '<option value="ar" selected>' in html  # the household's language first
    assert 'lang="ar" dir="rtl">يوجد أشخاص أستطيع الاعتماد عليهم' in html
    assert "There are people I can count on when I really need help." in html
    assert (
        'lang="ar" dir="rtl">أوافق بشدة</span> <span class="hint">(Strongly agree)</span>' in html
    )
    assert html.count('type="radio"') == 10 * 5 + 3  # four answers and "No answer"; the modes


def test_another_language_shows_without_saving_and_keeps_what_was_ticked(personas, survey):
    client = personas.client_for("coordinator")

    response = client.post(
        _url(survey),
        {"action": "language", "language": "fr", "mode": "paper", **_answers(survey, {1: "4"})},
    )

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "error-summary" not in html
    assert 'lang="fr" dir="ltr">Il y a des personnes sur qui je peux compter' in html
    pk = survey.responses.get().pk
    assert f'value="4" id="id_r{pk}_1_3" checked' in html
    assert 'value="paper" id="id_mode_2" required checked' in html
    survey.refresh_from_db()
    assert survey.status == AdminStatus.SENT
    assert not Answer.objects.exists()


def test_the_language_choice_is_limited_to_the_questionnaires_languages(personas):
    volunteer = VolunteerFactory(approved=True)
    personas.coordinator.programs.add(volunteer.program)
    survey = volunteer_survey(volunteer.user, program=volunteer.program).administration

    form = personas.client_for("coordinator").get(_url(survey)).context["form"]

    assert [code for code, _label in form.fields["language"].choices] == ["en", "fr"]


def test_through_an_interpreter_of_the_program(personas, survey, interpreter):
    elsewhere = UserFactory(role=Role.INTERPRETER, full_name="Not Ours")
    elsewhere.programs.add(ProgramFactory(name="Another program"))
    client = personas.client_for("coordinator")
    choices = dict(client.get(_url(survey)).context["form"].fields["interpreter"].choices)
    assert str(interpreter.pk) in choices and str(elsewhere.pk) not in choices

    response = client.post(
        _url(survey),
        {
            "action": "save",
            "language": "ar",
            "mode": Mode.INTERPRETER,
            "interpreter": str(interpreter.pk),
            **_answers(survey, dict.fromkeys(range(1, 11), "3")),
        },
    )

    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    survey.refresh_from_db()
    assert survey.status == AdminStatus.SUBMITTED
    assert survey.mode == Mode.INTERPRETER
    assert survey.interpreter == interpreter
    assert survey.interviewer == personas.coordinator
    assert survey.responses.get().scores["total"] == 30


def test_an_interpreter_not_in_the_list_is_named(personas, survey):
    personas.client_for("coordinator").post(
        _url(survey),
        {"language": "ar", "mode": Mode.INTERPRETER, "interpreter_name": " Samira K. "},
    )
    survey.refresh_from_db()
    assert survey.status == AdminStatus.SUBMITTED
    assert survey.interpreter is None and survey.interpreter_name == "Samira K."


def test_every_question_may_stay_blank(personas, survey):
    response = personas.client_for("coordinator").post(
        _url(survey), {"language": "ar", "mode": Mode.PAPER}
    )

    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.mode == Mode.PAPER
    assert survey.responses.get().scores["total"] is None
    assert not Answer.objects.exists()


def test_missing_how_and_who_are_listed_at_the_top_and_nothing_typed_is_lost(
    personas, survey, interpreter
):
    client = personas.client_for("coordinator")

    no_mode = client.post(_url(survey), {"language": "ar", **_answers(survey, {2: "1"})})
    html = unescape(no_mode.content.decode())
    assert no_mode.status_code == 400
    assert "<title>Error:" in html
    assert '<a href="#id_mode_0">Choose how the answers were collected.</a>' in html
    pk = survey.responses.get().pk
    assert f'value="1" id="id_r{pk}_2_0" checked' in html

    no_interpreter = client.post(
        _url(survey), {"language": "ar", "mode": Mode.INTERPRETER, **_answers(survey, {2: "1"})}
    )
    html = unescape(no_interpreter.content.decode())
    assert no_interpreter.status_code == 400
    assert (
        '<a href="#id_interpreter">Choose the interpreter who helped with the call, or write '
        "their name.</a>"
    ) in html
    survey.refresh_from_db()
    assert survey.status == AdminStatus.SENT


def test_without_interpreters_in_the_program_the_error_points_at_the_name(personas, survey):
    response = personas.client_for("coordinator").post(
        _url(survey), {"language": "ar", "mode": Mode.INTERPRETER}
    )
    assert '<a href="#id_interpreter_name">' in response.content.decode()


def test_an_answer_outside_the_scale_is_refused_next_to_its_question(personas, survey):
    response = personas.client_for("coordinator").post(
        _url(survey), {"language": "ar", "mode": Mode.PAPER, **_answers(survey, {3: "9"})}
    )

    html = unescape(response.content.decode())
    assert response.status_code == 400
    pk = survey.responses.get().pk
    assert f'<a href="#id_r{pk}_3_0">Choose one of the answers offered.</a>' in html
    assert f'id="id_r{pk}_3_error"' in html


def test_paper_is_chosen_from_the_detail_pages_link(personas, survey):
    form = personas.client_for("coordinator").get(_url(survey, "?mode=paper")).context["form"]
    assert form.initial["mode"] == "paper"


def test_a_closed_survey_sends_staff_back_to_it(personas, survey):
    personas.client_for("coordinator").post(_url(survey), {"language": "ar", "mode": "paper"})

    again = personas.client_for("coordinator").get(_url(survey))

    assert again.status_code == 302 and again["Location"] == f"/surveys/{survey.pk}/"


def test_the_named_interpreter_is_not_asked_how_or_who(personas, survey):
    survey.interpreter = personas.interpreter
    survey.save(update_fields=["interpreter"])

    html = personas.client_for("interpreter").get(_url(survey)).content.decode()

    assert 'name="mode"' not in html and 'name="interpreter"' not in html
    assert 'name="language"' in html
    assert "Back to the survey" not in html


def test_answers_given_through_the_link_are_shown_and_what_staff_clear_is_not_scored(
    personas, survey
):
    from accueil.surveys.services import answer_record

    response = survey.responses.get()
    for number in (1, 2):
        answer_record(survey, response=response, item=number, value=4)
    client = personas.client_for("coordinator")

    html = unescape(client.get(_url(survey)).content.decode())
    assert f'value="4" id="id_r{response.pk}_1_3" checked' in html

    # On the phone the respondent would rather not answer the first question after all.
    answers = _answers(survey, {1: "", **dict.fromkeys(range(2, 11), "3")})
    saved = client.post(_url(survey), {"language": "ar", "mode": Mode.INTERVIEW, **answers})

    assert saved.status_code == 302
    response.refresh_from_db()
    assert response.scores["items"] == {str(n): 3 for n in range(2, 11)}
    assert response.scores["total"] == 30
    assert not Answer.objects.filter(response=response, item=1, value__isnull=False).exists()
