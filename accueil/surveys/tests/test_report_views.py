"""The impact report page: who reaches it, what it shows at each number of pairs, its charts
and tables, the coordinator's scope, and a query count that does not grow with the data."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.factories import ProgramFactory, RegionFactory
from accueil.surveys import selectors_report as selectors
from accueil.surveys.tests.test_report_selectors import (
    households,
    pair,
    ucla,
    ucla_pairs,
    volunteer,
)

pytestmark = pytest.mark.django_db

URL = reverse("survey_impact")
WARNING = (
    "Fewer than 10 pairs: these figures describe this group only; they cannot show whether the "
    "program made a difference."
)


@pytest.fixture
def program(personas):
    program = ProgramFactory(name="Welcome Groups for refugee claimants")
    personas.coordinator.programs.add(program)
    return program


@pytest.fixture
def region():
    return RegionFactory(name="Toronto")


def page(personas, who="manager", **query) -> str:
    response = personas.client_for(who).get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_for_staff_only(personas):
    assert_personas(personas, URL, STAFF)
    assert_personas(personas, reverse("survey_impact_csv"), STAFF)
    assert_personas(personas, reverse("survey_research_csv"), MANAGERS)


def test_it_states_the_pairing_rule(personas):
    assert str(escape(selectors.PAIRING_RULE)) in page(personas)


def test_it_shows_every_figure_from_ten_pairs(personas, program, region):
    ucla_pairs(program, region, 12)

    html = page(personas)

    assert "Feeling alone (UCLA-3)" in html
    assert "Pairs: 12." in html
    assert "A lower score is better." in html
    assert "p (Wilcoxon)" in html and "Fewer than 10 pairs: no test." not in html
    assert WARNING not in html


def test_fewer_than_ten_pairs_come_with_the_warning(personas, program, region):
    ucla_pairs(program, region, 7)

    html = page(personas)

    assert WARNING in html
    assert "Pairs: 7." in html
    assert "Fewer than 10 pairs: no test." in html


def test_fewer_than_five_pairs_show_no_figure(personas, program, region):
    totals = ucla_pairs(program, region, 3)

    html = page(personas)

    assert "Pairs: &lt;5." in html
    assert "no figure is shown" in html
    assert "<svg" not in html and "<table" not in html
    mean_before = sum(before for before, _after in totals) / 3
    assert f"{mean_before:.1f}" not in html


def test_item_percentages_need_twenty_pairs(personas, program, region):
    def items(isolated: bool) -> dict:
        return {"program-items": {1: 3, 2: 3, 3: 4 if isolated else 1, 4: 3, 5: 3}}

    for k, household in enumerate(households(program, region, 12)):
        pair(household, items(k < 7), items(k < 3))

    assert "n too small to show a percentage" in page(personas)

    for k, household in enumerate(households(program, region, 8)):
        pair(household, items(k < 5), items(k < 3))

    html = page(personas)
    assert "n too small to show a percentage" not in html
    assert "60%" in html and "30%" in html  # 12 of 20 before, 6 of 20 after


def test_each_chart_is_an_image_followed_by_its_table(personas, program, region):
    ucla_pairs(program, region, 10)

    html = page(personas)

    svg = re.search(r"<svg\b[^>]*>", html).group(0)
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert re.search(r"<title id=\"[^\"]+\">Feeling alone \(UCLA-3\): mean scores", html)
    after_chart = html[html.index("</svg>") :]
    assert after_chart.index("<table") < after_chart.index("</section>")
    assert "<caption" in after_chart and '<th scope="col">' in after_chart
    assert '<th scope="row">Total score</th>' in after_chart


def test_a_coordinator_sees_nothing_of_another_program(personas, program, region):
    other = ProgramFactory(name="Welcome Groups for GARs")
    ucla_pairs(other, region, 12)

    html = page(personas, "coordinator")

    assert "Feeling alone" not in html
    assert f'value="{other.pk}"' not in html
    assert f'value="{program.pk}"' in html

    html = page(personas, "coordinator", program=other.pk)
    assert "Select a valid choice" in html
    assert "Feeling alone" not in html
    response = personas.client_for("coordinator").get(
        reverse("survey_impact_csv"), {"program": other.pk}
    )
    assert response.status_code == 404


def test_the_filters_narrow_the_page(personas, program, region):
    ucla_pairs(program, region, 5, language="ar")
    ucla_pairs(program, region, 6, language="prs")
    for _k in range(5):
        pair(volunteer(program, region), ucla(2), ucla(2), program=program)

    assert "Pairs: 6." in page(personas, language="prs")
    assert "(Volunteers)" not in page(personas, audience="household")
    assert "(Volunteers)" in page(personas)


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_few_and_many_pairs(
    personas, program, region, django_assert_num_queries
):
    client = personas.client_for("coordinator")
    rich = {**ucla(3), "program-items": {1: 1, 2: 2, 3: 3, 4: 4, 5: 1}}
    for household in households(program, region, 3):
        pair(household, rich, {**ucla(1), "program-items": {1: 4, 2: 4, 3: 1, 4: 4, 5: 4}})
    expected = _count(client)

    for household in households(program, region, 27):
        pair(household, rich, {**ucla(2), "program-items": {1: 3, 2: 3, 3: 2, 4: 3, 5: 3}})

    with django_assert_num_queries(expected):
        response = client.get(URL)
    assert "Pairs: 30." in response.content.decode()
