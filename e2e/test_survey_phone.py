"""A survey answered on the phone through an interpreter, in a real browser.

The household's link went out by text message but the family prefers a call. The coordinator
(password and a TOTP code) opens the survey from the list, clicks "Enter answers", says the call
goes through an interpreter and picks him, reads the ten SPS-10 questions in Arabic (with her
English beside them), ticks the answers, forgets one and saves. The survey page then shows it
completed, how, with whom, and the total score. axe-core finds nothing on the list, the survey
page and the entry page, and no page raises a JavaScript error.
"""

import pytest
from playwright.sync_api import expect

from accueil.surveys.models import AdminStatus, Mode
from e2e.live import Site, assert_no_axe_violations
from e2e.screens_surveys_staff import desk

pytestmark = pytest.mark.django_db(transaction=True)


def checked(site: Site) -> None:
    assert_no_axe_violations(site.page)
    assert site.page_errors == []


def test_a_coordinator_enters_a_phone_survey_through_an_interpreter(new_site):
    people = desk("en")
    survey = people.survey
    response = survey.responses.get()
    detail = f"/surveys/{survey.pk}/"

    staff = new_site(bypass_csp=True)
    staff.sign_in(people.coordinator)
    page = staff.page

    # The list, from the navigation.
    page.locator("nav.site-nav a", has_text="Surveys").click()
    expect(page).to_have_url(staff.url("/surveys/"))
    expect(page.locator("main table tbody tr")).to_have_count(1)
    checked(staff)

    page.locator(f"main a[href='{detail}']").click()
    expect(page).to_have_url(staff.url(detail))
    expect(page.locator("main .page-heading .tag")).to_have_text("Link sent")
    checked(staff)

    page.locator("#action-enter a", has_text="Enter answers").click()
    expect(page).to_have_url(staff.url(f"{detail}enter/"))
    expect(page.locator("main select[name=language]")).to_have_value("ar")
    checked(staff)

    page.get_by_label("On the phone, through an interpreter").check()
    page.locator("main select[name=interpreter]").select_option(label="Yusuf Karimi")
    first = page.locator(f"#id_r{response.pk}_1_0").locator("xpath=ancestor::fieldset[1]")
    expect(first.locator("legend [lang=ar]")).to_contain_text("يوجد أشخاص")
    expect(first.locator("legend .hint")).to_have_text(
        "There are people I can count on when I really need help."
    )
    # Nine answers: "Agree" (3) to the odd questions, "Strongly agree" (4) to the even ones;
    # question 10 is left without an answer.
    for number in range(1, 10):
        value = 3 if number % 2 else 4
        page.locator(f"input[name=r{response.pk}_{number}][value='{value}']").check()
    page.locator("main button[value=save]").click()

    expect(page).to_have_url(staff.url(detail))
    expect(page.locator("main .page-heading .tag")).to_have_text("Completed")
    summary = page.locator("main dl.summary").nth(1)
    expect(summary).to_contain_text("On the phone, through an interpreter")
    expect(summary).to_contain_text("Yusuf Karimi")
    expect(summary).to_contain_text("Cora Coordinator")
    # (5 x 3 + 4 x 4) / 9 answers x 10 items.
    expect(page.locator(f"#total-{response.pk}")).to_have_text("34.44")
    expect(page.locator("main")).to_contain_text("The answers are saved and the survey is scored.")
    checked(staff)

    survey.refresh_from_db()
    assert survey.status == AdminStatus.SUBMITTED
    assert survey.mode == Mode.INTERPRETER
    assert survey.interpreter == people.interpreter
    assert survey.interviewer == people.coordinator
    assert survey.language == "ar"
