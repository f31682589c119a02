"""Screens of the staff survey pages, in the state a coordinator meets them in: the list, an
open survey, a completed one with its scores and answers, the entry page (and its errors),
starting a survey by hand and importing a file (and its problems). They register into
e2e.screens.SCREENS under the prefix "surveys: " (imported at the end of e2e/screens.py).

Every survey is built through the real services (accueil/surveys/tests/factories.py), for an
Arabic-speaking household, so the entry page shows Arabic questions beside the staff's language.
"""

from dataclasses import dataclass

from django.utils import timezone
from playwright.sync_api import expect

from accueil.accounts.models import Role, User
from accueil.factories import UserFactory
from accueil.newcomers.models import HouseholdStatus
from accueil.newcomers.tests.factories import HouseholdFactory
from accueil.surveys.models import Administration, Mode, Phase
from accueil.surveys.services import administration_enter
from accueil.surveys.tests.factories import household_survey
from e2e import volunteer_data
from e2e.live import Site
from e2e.screens import screen as _screen

PREFIX = "surveys: "


def screen(name: str):
    return _screen(PREFIX + name)


@dataclass
class Desk:
    """A program's coordinator, an interpreter of the program and a household with a short
    survey (SPS-10) whose link went out by text message."""

    coordinator: User
    interpreter: User
    survey: Administration


def desk(language: str = "en", *, instruments=("sps-10",)) -> Desk:
    program = volunteer_data.toronto_program()
    cora = volunteer_data.coordinator_of(program, language=language)
    interpreter = UserFactory(
        role=Role.INTERPRETER,
        full_name="Yusuf Karimi",
        email="yusuf.karimi@example.org",
        language=language,
    )
    interpreter.programs.add(program)
    household = HouseholdFactory(
        program=program,
        region=volunteer_data.toronto(program),
        status=HouseholdStatus.WAITING,
        waitlisted_at=timezone.now(),
        head_name="Amina Haddad",
        languages=["ar"],
        coordinator=cora,
    )
    survey = household_survey(
        cora, household=household, instruments=list(instruments), phase=Phase.PRE
    ).administration
    return Desk(cora, interpreter, survey)


def completed(language: str = "en") -> Desk:
    people = desk(language)
    survey = people.survey
    response = survey.responses.get()
    people.survey = administration_enter(
        survey,
        by=people.coordinator,
        answers={response.pk: {n: 3 + n % 2 for n in range(1, 10)}},
        mode=Mode.INTERPRETER,
        language="ar",
        interpreter=people.interpreter,
    )
    return people


@screen("list")
def _list(site: Site, language: str) -> None:
    people = completed(language)
    household_survey(
        people.coordinator,
        household=people.survey.household,
        phase=Phase.POST,
        instruments=["sps-10", "ucla-3"],
    )
    site.sign_in_session(people.coordinator)
    site.goto("/surveys/")
    expect(site.page.locator("main table tbody tr")).to_have_count(2)


@screen("open survey")
def _open(site: Site, language: str) -> None:
    people = desk(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/surveys/{people.survey.pk}/")
    expect(site.page.locator("#action-enter a").first).to_be_visible()
    expect(site.page.locator("#cancel-reason")).to_be_visible()


@screen("completed survey")
def _completed(site: Site, language: str) -> None:
    people = completed(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/surveys/{people.survey.pk}/")
    expect(site.page.locator("main table tbody tr")).to_have_count(10)


@screen("enter answers")
def _enter(site: Site, language: str) -> None:
    people = desk(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/surveys/{people.survey.pk}/enter/")
    expect(site.page.locator("main input[name=mode]").first).to_be_visible()
    expect(site.page.locator("main select[name=interpreter]")).to_be_visible()


@screen("enter answers, errors")
def _enter_errors(site: Site, language: str) -> None:
    _enter(site, language)
    page = site.page
    page.locator("main button[value=save]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary li")).to_have_count(1)


@screen("start a survey")
def _new(site: Site, language: str) -> None:
    people = desk(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/surveys/new/?household={people.survey.household_id}")
    expect(site.page.locator("main input[name=phase]").first).to_be_visible()


@screen("import answers")
def _import(site: Site, language: str) -> None:
    people = desk(language)
    site.sign_in_session(people.coordinator)
    site.goto("/surveys/import/")
    expect(site.page.locator("main input[type=file]")).to_be_visible()


@screen("import answers, problems")
def _import_problems(site: Site, language: str) -> None:
    _import(site, language)
    page = site.page
    household = Administration.objects.order_by("pk").last().household_id
    items = ",".join(f"item_{n}" for n in range(1, 11))
    content = (
        f"household_id,phase,date,language,{items}\n"
        f"{household},during,2026-03-14,ar,3,3,3,3,3,3,3,3,3,3\n"
        f"{household},pre,14/03/2026,ar,3,9,3,3,3,3,3,3,3,3\n"
    )
    page.locator("main select[name=instrument]").select_option("sps-10")
    page.locator("main select[name=program]").select_option(index=1)
    page.locator("main input[type=file]").set_input_files(
        files=[{"name": "answers.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#problems-caption")).to_be_attached()
    expect(page.locator("main table tbody tr")).to_have_count(3)
