"""The impact report's CSV (same figures, same suppression) and the research export (consenting
respondents only, de-identified, audited)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, RegionFactory
from accueil.matches.models import Match
from accueil.matching.tests.factories import make_world
from accueil.newcomers.models import ConsentPurpose
from accueil.newcomers.tests.factories import ConsentFactory
from accueil.surveys import selectors_report as selectors
from accueil.surveys import stats
from accueil.surveys.models import Mode
from accueil.surveys.tests.test_report_selectors import (
    households,
    pair,
    started_match,
    ucla,
    ucla_pairs,
    volunteer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(personas):
    program = ProgramFactory(name="Welcome Groups for refugee claimants")
    personas.coordinator.programs.add(program)
    return program


@pytest.fixture
def region():
    return RegionFactory(name="Toronto")


def download(personas, url_name: str, who: str = "manager", **query) -> list[dict]:
    response = personas.client_for(who).get(reverse(url_name), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# -- the report's CSV -----------------------------------------------------------------------


def test_the_csv_has_a_row_per_measure_with_the_pages_figures(personas, program, region):
    totals = ucla_pairs(program, region, 12)
    for household in households(program, region, 3):
        pair(
            household,
            {"sps-5": dict.fromkeys(range(1, 6), 2)},
            {"sps-5": dict.fromkeys(range(1, 6), 4)},
        )

    rows = download(personas, "survey_impact_csv")

    by_instrument = {row["Instrument"]: row for row in rows}
    loneliness = by_instrument["ucla-3"]
    expected = stats.paired(
        [b for b, _a in totals], [a for _b, a in totals], higher_is_better=False
    )
    assert loneliness["Measure"] == "Total score"
    assert loneliness["Respondents"] == "Households"
    assert loneliness["Higher is better"] == "no"
    assert loneliness["Pairs"] == "12"
    assert float(loneliness["Mean before"]) == pytest.approx(expected.mean_before, abs=1e-4)
    assert float(loneliness["Mean change"]) == pytest.approx(expected.mean_change, abs=1e-4)
    assert float(loneliness["95% CI low"]) == pytest.approx(expected.ci_low, abs=1e-4)
    assert float(loneliness["p (Wilcoxon)"]) == pytest.approx(expected.p_wilcoxon, abs=1e-6)
    # Three pairs: "<5" and nothing else.
    small = by_instrument["sps-5"]
    assert small["Pairs"] == "<5"
    assert [
        value
        for key, value in small.items()
        if key not in ("Respondents", "Instrument", "Measure", "Higher is better", "Pairs")
    ] == [""] * 14


def test_the_csv_leaves_out_tests_under_ten_and_percentages_under_twenty(personas, program, region):
    ucla_pairs(program, region, 7)
    items = {"program-items": {1: 3, 2: 3, 3: 4, 4: 3, 5: 3}}
    for household in households(program, region, 12):
        pair(household, items, items)

    rows = download(personas, "survey_impact_csv")

    loneliness = next(row for row in rows if row["Instrument"] == "ucla-3")
    assert loneliness["Pairs"] == "7" and loneliness["Mean change"] != ""
    assert loneliness["95% CI low"] == loneliness["p (paired t)"] == loneliness["Improved"] == ""
    isolated = next(row for row in rows if row["Measure"] == "feel socially isolated")
    assert isolated["Pairs"] == "12"
    assert isolated["Share before (%)"] == isolated["Share after (%)"] == ""


def test_the_csv_is_audited(personas, program, region):
    download(personas, "survey_impact_csv", program=program.pk)

    entry = AuditEntry.objects.get(code="survey.report_exported")
    assert entry.actor == personas.manager
    assert entry.additional_data == {"program_id": program.pk}


# -- the research export --------------------------------------------------------------------


def _consent(household, *, given=True, withdrawn=False):
    ConsentFactory(
        household=household,
        purpose=ConsentPurpose.RESEARCH,
        given=given,
        withdrawn_at=timezone.now() - timedelta(days=1) if withdrawn else None,
    )


def test_the_research_export_has_consenting_respondents_only(personas, program, region):
    agreed, withdrew, refused, never = households(program, region, 4)
    _consent(agreed)
    _consent(withdrew, withdrawn=True)
    _consent(refused, given=False)
    ConsentFactory(household=never, purpose=ConsentPurpose.PARTICIPATION)
    for household in (agreed, withdrew, refused, never):
        # Every one of them said yes when they answered: only consent in force today counts.
        pair(household, ucla(3), ucla(1), research_consent=True)
    said_yes, said_no = volunteer(program, region), volunteer(program, region)
    pair(said_yes, ucla(2), ucla(2), program=program, research_consent=True)
    pair(said_no, ucla(2), ucla(2), program=program, research_consent=False)

    rows = download(personas, "survey_research_csv")

    assert {row["respondent"] for row in rows} == {
        selectors.pseudonym("household", agreed.pk),
        selectors.pseudonym("volunteer", said_yes.pk),
    }
    assert len(rows) == 4  # two respondents, a before and an after each, one instrument
    assert {(row["audience"], row["phase"]) for row in rows} == {
        ("household", "pre"),
        ("household", "post"),
        ("volunteer", "pre"),
        ("volunteer", "post"),
    }


def test_the_research_export_is_de_identified(personas, program, region):
    household = households(program, region, 1)[0]
    _consent(household)
    pair(
        household,
        {**ucla(3, 2, 1), "program-items": {1: 1, 2: 2, 3: 4, 4: 1, 5: 2}},
        {**ucla(1), "program-items": {1: 4, 2: 4, 3: 1, 4: 4, 5: 4}},
        mode=Mode.INTERPRETER,
    )
    response = personas.client_for("admin").get(reverse("survey_research_csv"))
    content = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))

    assert household.head_name not in content and household.phone not in content
    assert "Welcome Groups" not in content
    header = content.splitlines()[0].split(",")
    assert header[:8] == [
        "respondent",
        "audience",
        "phase",
        "language",
        "mode",
        "match_start_quarter",
        "instrument",
        "instrument_version",
    ]
    assert header[8:] == [f"item_{k}" for k in range(1, len(header) - 7)]
    assert not any(column == "id" or column.endswith("_id") for column in header)
    respondents = {row["respondent"] for row in rows}
    assert len(respondents) == 1  # one stable code for both surveys
    (code,) = respondents
    assert re.fullmatch(r"R[0-9a-f]{15}", code) and code != str(household.pk)
    first = next(r for r in rows if r["phase"] == "pre" and r["instrument"] == "ucla-3")
    assert (first["item_1"], first["item_2"], first["item_3"], first["item_4"]) == (
        "3",
        "2",
        "1",
        "",
    )
    assert first["mode"] == "interpreter" and first["language"] == "ar"
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", value) for row in rows for value in row.values())


def test_a_before_survey_carries_the_quarter_of_the_match_it_pairs_with(personas):
    coordinator = personas.coordinator
    world = make_world(coordinator=coordinator)
    match = started_match(coordinator, world.program, world.region, date(2027, 5, 2))
    _consent(match.household)
    pair(match.household, ucla(3), ucla(2), match=Match.objects.get(pk=match.pk))

    rows = download(personas, "survey_research_csv")

    assert {row["match_start_quarter"] for row in rows} == {"2027-Q2"}
    assert download(personas, "survey_research_csv", cohort="2027-Q2") == rows


def test_the_research_export_is_audited(personas, program, region):
    household = households(program, region, 1)[0]
    _consent(household)
    pair(household, ucla(3), ucla(1))

    rows = download(personas, "survey_research_csv", language="ar")

    entry = AuditEntry.objects.get(code="survey.research_exported")
    assert entry.actor == personas.manager
    assert entry.additional_data == {"rows": len(rows), "language": "ar"}
    assert "exported de-identified survey answers" in selectors.audit.describe(entry)
