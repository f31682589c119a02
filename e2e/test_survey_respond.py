"""A household member answers the social-support survey (SPS-24) on a phone, in Arabic.

She opens the link from her text message on a 360 px wide screen: the pages are right to left.
She starts, tries to go on without choosing (the page says why and keeps her there), answers
each of the 24 questions, goes back once to change an answer, reviews and sends. The thanks
page stays, the link stops working, and her answers are scored. axe-core finds nothing on any
page she saw, and no page raises a JavaScript error. At 320 px a question does not scroll
sideways, in any of the page's languages.
"""

import pytest
from playwright.sync_api import expect

from accueil.surveys import interface
from accueil.surveys.models import Administration, AdminStatus, Answer, Mode
from accueil.surveys.tests.factories import household_survey
from e2e.live import Site, assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}
NARROW = {"width": 320, "height": 640}


def checked(site: Site) -> None:
    assert_no_axe_violations(site.page)
    assert site.page_errors == []


def choose(site: Site, value: int) -> None:
    """Tap the whole row of an answer, not the small circle."""
    row = site.page.locator("label.choice", has=site.page.locator(f"input[value='{value}']"))
    row.locator("span").click()
    expect(row.locator("input")).to_be_checked()


def test_a_household_member_answers_the_sps_in_arabic_on_her_phone(new_site):
    sent = household_survey(instruments=["sps-24"], languages=("ar",))
    ui = interface.for_language("ar")
    site = new_site(viewport=PHONE, bypass_csp=True, locale="ar")
    page = site.page

    response = site.goto(sent.url)
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "same-origin"
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("main h1")).to_have_text(ui["survey"])
    checked(site)
    page.locator("main a.button", has_text=ui["start"]).click()

    # Going on without an answer keeps the question and says why.
    expect(page.locator(".progress__label")).to_have_text("السؤال 1 من 24")
    checked(site)
    page.locator("main button[value=next]").click()
    expect(page.locator("#answer-error")).to_have_text(ui["choose_answer"])
    expect(page.locator("fieldset")).to_have_attribute("aria-describedby", "answer-error")
    expect(page.locator(".progress__label")).to_have_text("السؤال 1 من 24")
    checked(site)

    given = {}
    for number in range(1, 25):
        expect(page.locator(".progress__label")).to_have_text(f"السؤال {number} من 24")
        expect(page.locator("progress")).to_have_attribute("value", str(number))
        value = (number % 4) + 1
        choose(site, value)
        given[number] = value
        if number == 6:
            checked(site)  # a question with an answer chosen
        page.locator("main button[value=next]").click()
        if number == 3:
            # Back to question 3: her answer is there; she changes it.
            expect(page.locator(".progress__label")).to_have_text("السؤال 4 من 24")
            page.locator("main a.back-link").click()
            expect(page.locator(".progress__label")).to_have_text("السؤال 3 من 24")
            expect(page.locator(f"input[value='{value}']")).to_be_checked()
            choose(site, 1)
            given[3] = 1
            page.locator("main button[value=next]").click()

    expect(page.locator("main h1")).to_have_text(ui["review_title"])
    expect(page.locator("main")).to_contain_text(
        interface.text("review_body", "ar", answered=24, total=24)
    )
    checked(site)
    page.locator("main button[type=submit]", has_text=ui["send"]).click()

    expect(page).to_have_url(site.url("/s/done/?lang=ar"))
    expect(page.locator("main h1")).to_have_text(ui["thanks_title"])
    expect(html).to_have_attribute("dir", "rtl")
    checked(site)

    administration = Administration.objects.get(pk=sent.administration.pk)
    assert administration.status == AdminStatus.SUBMITTED
    assert administration.mode == Mode.LINK
    answers = dict(
        Answer.objects.filter(response__administration=administration).values_list("item", "value")
    )
    assert answers == given
    response = administration.responses.get()
    assert response.scores is not None
    assert response.scores["total"] is not None
    assert set(response.scores["subscales"]) and all(
        score is not None for score in response.scores["subscales"].values()
    )

    # The link from the text message now opens the plain invalid page, in Arabic and English.
    response = site.goto(sent.url)
    assert response.status == 404
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("main h1")).to_have_text(ui["invalid_title"])
    expect(page.locator("main [lang=en] h2")).to_have_text(interface.text("invalid_title", "en"))
    expect(page.locator("form")).to_have_count(0)
    checked(site)


@pytest.mark.parametrize("language", ["ar", "ti", "en"])
def test_a_question_fits_a_320_pixel_screen(new_site, language):
    sent = household_survey(instruments=["sps-24"], languages=(language,))
    site = new_site(viewport=NARROW, bypass_csp=True)
    site.goto(f"{sent.url}?q=1")
    site.page.locator("main button[value=next]").click()  # the error makes it longer
    expect(site.page.locator("#answer-error")).to_be_visible()
    scroll_width = site.page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= NARROW["width"], f"{scroll_width}px wide at 320px"
    # Each answer row is a target of at least 48 px high.
    heights = site.page.locator("label.choice").evaluate_all(
        "rows => rows.map(row => row.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 48
    checked(site)


def test_the_read_aloud_button_appears_only_where_the_browser_can_speak(new_site):
    sent = household_survey(instruments=["ucla-3"], languages=("fa",))
    site = new_site(viewport=PHONE)  # the policy enforced: the script is a static file
    site.goto(f"{sent.url}?q=1")
    button = site.page.locator("[data-read-aloud]")
    can_speak = site.page.evaluate("() => 'speechSynthesis' in window")
    if can_speak:
        expect(button).to_be_visible()
        # What it would say, in which language: recorded instead of spoken.
        spoken = site.page.evaluate(
            """() => {
                const said = [];
                window.speechSynthesis.speak = u => said.push([u.lang, u.text]);
                document.querySelector("[data-read-aloud]").click();
                return said;
            }"""
        )
        assert spoken[0][0] == "fa"
        assert len(spoken) == 4  # the question and its three answers
        assert spoken[1][1] == "تقریباً هرگز"
    else:
        expect(button).to_be_hidden()
    assert site.csp_errors() == []
    assert site.page_errors == []
