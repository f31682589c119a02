"""The respondent's survey pages (/s/<token>/), in the state a household meets them in. They
register into e2e.screens.SCREENS under the prefix "survey link: ".

The survey is the household's pre-match one, scheduled and sent through the real services
(accueil/surveys/tests/factories.py), in ``language``: the pages speak the survey's language,
not the visitor's cookie. The invalid-link page speaks the visitor's language besides English.
"""

from playwright.sync_api import expect

from accueil.surveys.services import answer_record
from accueil.surveys.tests.factories import Sent, household_survey
from e2e.live import Site
from e2e.screens import screen as _screen

PREFIX = "survey link: "


def screen(name: str):
    return _screen(PREFIX + name)


def survey(language: str, instruments=("ucla-3", "program-items")) -> Sent:
    return household_survey(languages=(language,), instruments=list(instruments))


def answer_first(sent: Sent, count: int) -> None:
    """What a respondent who stopped after ``count`` questions leaves behind."""
    administration = sent.administration
    responses = list(administration.responses.select_related("instrument").order_by("position"))
    done = 0
    for response in responses:
        for item in response.instrument.spec.items:
            if done == count:
                return
            answer_record(administration, response=response, item=item.number, value=2)
            done += 1


@screen("introduction, coming back")
def _intro(site: Site, language: str) -> None:
    sent = survey(language)
    answer_first(sent, 2)
    site.goto(sent.url)
    expect(site.page.locator("main a.button")).to_have_attribute("href", f"{sent.url}?q=3")


@screen("question")
def _question(site: Site, language: str) -> None:
    sent = survey(language)
    answer_first(sent, 3)
    site.goto(f"{sent.url}?q=4")  # the first of an instrument: its title and description too
    expect(site.page.locator("main input[type=radio]").first).to_be_visible()


@screen("question, no answer chosen")
def _question_error(site: Site, language: str) -> None:
    sent = survey(language)
    site.goto(f"{sent.url}?q=1")
    site.page.locator("main button[value=next]").click()
    expect(site.page.locator("#answer-error")).to_be_visible()


@screen("question, free text")
def _question_text(site: Site, language: str) -> None:
    sent = survey(language, instruments=["match-satisfaction"])
    site.goto(f"{sent.url}?q=4")
    expect(site.page.locator("main textarea")).to_be_visible()


@screen("review")
def _review(site: Site, language: str) -> None:
    sent = survey(language, instruments=["ucla-3"])
    answer_first(sent, 3)
    site.goto(f"/s/{sent.token}/review/")
    expect(site.page.locator("main button[type=submit]")).to_be_visible()


@screen("thanks")
def _thanks(site: Site, language: str) -> None:
    site.goto(f"/s/done/?lang={language}")
    expect(site.page.locator("main h1")).to_be_visible()


@screen("link no longer valid")
def _invalid(site: Site, language: str) -> None:
    # English, and first the visitor's language when it is a respondent's: here the one the
    # language switcher's cookie holds (test_survey_respond.py checks the browser's own).
    response = site.goto("/s/" + "A" * 43 + "/")
    assert response.status == 404
    expect(site.page.locator("main h1")).to_be_visible()
