"""A phone survey reaches the impact report, in a real browser.

Ten households of a program already answered the SPS-10 before and after their match. An
eleventh answered before; after its match the coordinator calls it with an interpreter and
enters the after-survey. The impact report then counts eleven pairs instead of ten, and its
mean change moves. axe-core finds nothing on the report before or after.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accueil.newcomers.models import HouseholdStatus
from accueil.newcomers.tests.factories import HouseholdFactory
from accueil.surveys.models import Mode, Phase
from accueil.surveys.services import administration_enter, administration_schedule
from e2e.live import Site, assert_no_axe_violations
from e2e.screens_surveys_staff import desk

pytestmark = pytest.mark.django_db(transaction=True)


def _answered(household, by, phase: str, value: int, interpreter):
    survey = administration_schedule(
        program=household.program,
        phase=phase,
        household=household,
        by=by,
        automatic=False,
        instruments=["sps-10"],
    )
    response = survey.responses.get()
    return administration_enter(
        survey,
        by=by,
        answers={response.pk: dict.fromkeys(range(1, 11), value)},
        mode=Mode.INTERPRETER,
        language="ar",
        interpreter=interpreter,
    )


def _pairs(site: Site):
    return site.page.locator("main section", has_text="SPS-10").first


def test_a_phone_survey_adds_its_pair_to_the_impact_report(new_site):
    people = desk("en")
    coordinator, interpreter = people.coordinator, people.interpreter
    first = people.survey.household
    # Ten earlier pairs: 20 before, 30 after (all 2s, then all 3s).
    for _ in range(10):
        household = HouseholdFactory(
            program=first.program,
            region=first.region,
            status=HouseholdStatus.CLOSED,
            waitlisted_at=timezone.now(),
            languages=["ar"],
            coordinator=coordinator,
        )
        _answered(household, coordinator, Phase.PRE, 2, interpreter)
        _answered(household, coordinator, Phase.POST, 3, interpreter)
    # The eleventh household answered before (all 1s: 10), and waits for its after-survey.
    _answered(first, coordinator, Phase.PRE, 1, interpreter)
    after = administration_schedule(
        program=first.program,
        phase=Phase.POST,
        household=first,
        by=coordinator,
        automatic=False,
        instruments=["sps-10"],
    )

    staff = new_site(bypass_csp=True)
    staff.sign_in(coordinator)
    page = staff.page
    staff.goto("/surveys/impact/")
    section = _pairs(staff)
    expect(section).to_contain_text("Pairs: 10.")
    expect(section.locator("tbody tr").first).to_contain_text("+10.0")
    assert_no_axe_violations(page)

    # The call: every answer "Strongly agree" (4), through the interpreter.
    staff.goto(f"/surveys/{after.pk}/enter/")
    page.get_by_label("On the phone, through an interpreter").check()
    page.locator("main select[name=interpreter]").select_option(label="Yusuf Karimi")
    response = after.responses.get()
    for number in range(1, 11):
        page.locator(f"input[name=r{response.pk}_{number}][value='4']").check()
    page.locator("main button[value=save]").click()
    expect(page.locator("main .page-heading .tag")).to_have_text("Completed")

    staff.goto("/surveys/impact/")
    section = _pairs(staff)
    expect(section).to_contain_text("Pairs: 11.")
    # Ten changes of +10 and one of +30 (10 -> 40): a mean change of 130 / 11 = 11.8.
    expect(section.locator("tbody tr").first).to_contain_text("+11.8")
    assert_no_axe_violations(page)
    assert staff.page_errors == []
