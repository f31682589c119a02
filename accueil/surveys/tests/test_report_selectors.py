"""The impact report's reads: the pairing rule, the statistics per measure (the same as
``stats.paired`` on the same vectors), which way is better, the small-number rules and the
filters. The helpers at the top build submitted surveys straight with the ORM (scores computed
by ``scoring.score``, as submission stores them); the view and export tests use them too."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.matches.models import Match, MatchStatus
from accueil.matches.tests.factories import in_state
from accueil.matching.tests.factories import World, make_world, ready_group, waiting_household
from accueil.surveys import selectors_report as selectors
from accueil.surveys import stats
from accueil.surveys.definitions import shipped_by_slug
from accueil.surveys.models import (
    Administration,
    AdminStatus,
    Instrument,
    InstrumentSource,
    Mode,
    Phase,
    Response,
)
from accueil.surveys.scoring import score
from accueil.surveys.services_instruments import instrument_store
from accueil.volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=400)


# -- helpers (shared by test_report_views and test_report_exports) --------------------------


def instrument(slug: str) -> Instrument:
    found = Instrument.objects.filter(slug=slug, is_current=True).first()
    return found or instrument_store(shipped_by_slug(slug), source=InstrumentSource.SHIPPED)


def scores(slug: str, answers: dict[int, int]) -> dict:
    return score(instrument(slug).spec, answers).to_dict()


def ucla(a: int, b: int | None = None, c: int | None = None) -> dict[str, dict[int, int]]:
    """UCLA-3 answers; the total is their sum (3 to 9, higher is lonelier)."""
    return {"ucla-3": {1: a, 2: a if b is None else b, 3: a if c is None else c}}


def sitting(
    *,
    household=None,
    person=None,
    phase: str,
    day: int,
    answers: dict[str, dict[int, int]],
    program=None,
    language: str = "ar",
    match=None,
    status: str = AdminStatus.SUBMITTED,
    mode: str = Mode.LINK,
    research_consent: bool | None = None,
) -> Administration:
    """A survey submitted ``day`` days after START, with one scored response per instrument."""
    submitted = status == AdminStatus.SUBMITTED
    when = START + timedelta(days=day)
    administration = Administration.objects.create(
        program=program or (household.program if household is not None else None),
        household=household,
        person=person,
        match=match,
        phase=phase,
        language=language,
        status=status,
        mode=mode if submitted else "",
        submitted_at=when if submitted else None,
        research_consent=research_consent,
    )
    for position, (slug, given) in enumerate(answers.items()):
        Response.objects.create(
            administration=administration,
            instrument=instrument(slug),
            position=position,
            scores=scores(slug, given) if submitted else None,
            submitted_at=when if submitted else None,
        )
    return administration


def pair(respondent, before, after, *, pre_day=0, post_day=200, **fields):
    """A before-survey and an after-survey of one household (or volunteer, as a User)."""
    who = {"person": respondent} if respondent.__class__.__name__ == "User" else {}
    who = who or {"household": respondent}
    pre_fields = {k: v for k, v in fields.items() if k not in ("match", "language")}
    if "person" in who:
        pre_fields.setdefault("program", fields.get("program"))
    pre = sitting(**who, phase=Phase.PRE, day=pre_day, answers=before, **pre_fields)
    post = sitting(**who, phase=Phase.POST, day=post_day, answers=after, **fields)
    return pre, post


def households(program, region, count: int) -> list:
    return [waiting_household(program, region) for _ in range(count)]


def volunteer(program, region):
    return VolunteerFactory(program=program, region=region, approved=True).user


def ucla_pairs(program, region, count: int, *, rng=None, **fields) -> list[tuple[int, int]]:
    """``count`` households with UCLA-3 before and after; returns (total before, after)."""
    rng = rng or random.Random(count)
    totals = []
    for household in households(program, region, count):
        before = [rng.randint(1, 3) for _ in range(3)]
        after = [rng.randint(1, 3) for _ in range(3)]
        pair(household, ucla(*before), ucla(*after), **fields)
        totals.append((sum(before), sum(after)))
    return totals


def report_for(user, **filters) -> selectors.ImpactReport:
    return selectors.impact_report(user, selectors.Filters(**filters), language="en")


def section(report, slug: str, audience: str = "household"):
    found = [i for i in report.instruments if i.slug == slug and i.audience == audience]
    return found[0] if found else None


def measure(instrument_report, key: str = "total"):
    return next(m for m in instrument_report.measures if m.key == key)


@pytest.fixture
def program():
    return ProgramFactory(name="Welcome Groups Toronto")


@pytest.fixture
def region():
    return RegionFactory(name="Toronto")


@pytest.fixture
def manager():
    return UserFactory(role=Role.PROGRAM_MANAGER)


# -- pairing ------------------------------------------------------------------------------


def totals(user, audience: str = "household", slug: str = "ucla-3", **filters):
    """The (before, after) totals of every pair, from the report's own read."""
    pairs = selectors.paired_scores(user, selectors.Filters(**filters))
    if (audience, slug) not in pairs.values:
        return []
    before, after = pairs.values[(audience, slug)]
    return list(zip(before[:, 0].tolist(), after[:, 0].tolist(), strict=True))


def test_it_pairs_a_post_with_the_latest_submitted_pre_before_it(program, region, manager):
    household = waiting_household(program, region)
    sitting(household=household, phase=Phase.PRE, day=0, answers=ucla(3))
    sitting(household=household, phase=Phase.PRE, day=10, answers=ucla(2))
    # Not submitted, or submitted after the post: never the pre.
    sitting(
        household=household, phase=Phase.PRE, day=50, answers=ucla(1), status=AdminStatus.STARTED
    )
    sitting(household=household, phase=Phase.POST, day=100, answers=ucla(1, 1, 2))
    sitting(household=household, phase=Phase.PRE, day=150, answers=ucla(3))

    assert totals(manager) == [(6, 4)]
    pairs = selectors.paired_scores(manager, selectors.Filters())
    assert (pairs.count, pairs.unpaired) == (1, 0)


def test_a_pre_serves_every_later_post_of_its_respondent(program, region, manager):
    household = waiting_household(program, region)
    sitting(household=household, phase=Phase.PRE, day=0, answers=ucla(3))
    sitting(household=household, phase=Phase.POST, day=100, answers=ucla(2))
    sitting(household=household, phase=Phase.POST, day=300, answers=ucla(1))

    assert totals(manager) == [(9, 6), (9, 3)]


def test_it_leaves_a_post_without_an_earlier_pre_unpaired(program, region, manager):
    alone, late = households(program, region, 2)
    sitting(household=alone, phase=Phase.POST, day=100, answers=ucla(1))
    sitting(household=late, phase=Phase.POST, day=100, answers=ucla(1))
    sitting(household=late, phase=Phase.PRE, day=120, answers=ucla(3))
    # Another household's pre does not count either.
    sitting(household=waiting_household(program, region), phase=Phase.PRE, day=0, answers=ucla(3))

    pairs = selectors.paired_scores(manager, selectors.Filters())

    assert (pairs.count, pairs.unpaired) == (0, 2)
    assert pairs.values == {}


def test_it_ignores_posts_that_were_not_submitted(program, region, manager):
    household = waiting_household(program, region)
    sitting(household=household, phase=Phase.PRE, day=0, answers=ucla(3))
    for status in (AdminStatus.SENT, AdminStatus.STARTED, AdminStatus.EXPIRED):
        sitting(household=household, phase=Phase.POST, day=100, answers=ucla(1), status=status)

    report = report_for(manager)

    assert report.pairs == 0 and report.unpaired == 0 and report.instruments == []


def test_it_pairs_an_instrument_only_when_both_surveys_include_it(program, region, manager):
    for household in households(program, region, 5):
        pair(
            household,
            {"sps-5": dict.fromkeys(range(1, 6), 3)},
            {**ucla(2), "sps-5": dict.fromkeys(range(1, 6), 4)},
        )

    report = report_for(manager)

    assert report.pairs == 5
    assert section(report, "ucla-3") is None  # never asked before
    assert section(report, "sps-5").n == 5


def test_it_pairs_volunteers_by_person(program, region, manager):
    people = [volunteer(program, region) for _ in range(5)]
    for person in people:
        pair(person, {"volunteer-prepost": {}}, {"volunteer-prepost": {}}, program=program)
        pair(person, ucla(3), ucla(1), program=program, pre_day=300, post_day=320)

    report = report_for(manager)

    ucla_section = section(report, "ucla-3", "volunteer")
    assert ucla_section.n == 5
    assert measure(ucla_section).result.mean_before == 9
    assert measure(ucla_section).result.mean_after == 3


# -- statistics ---------------------------------------------------------------------------


def test_its_numbers_are_stats_paired_on_the_same_vectors(program, region, manager):
    totals = ucla_pairs(program, region, 14)

    found = measure(section(report_for(manager), "ucla-3"))

    expected = stats.paired(
        [before for before, _after in totals],
        [after for _before, after in totals],
        higher_is_better=False,
    )
    assert found.n == 14
    assert found.result == expected
    assert not found.descriptive_only and found.result.p_wilcoxon is not None


def test_its_subscales_and_total_are_paired_separately(program, region, manager):
    rng = random.Random(5)
    vectors = {"total": ([], []), "attachment": ([], [])}
    for household in households(program, region, 12):
        before = {k: rng.randint(1, 4) for k in range(1, 25)}
        after = {k: rng.randint(1, 4) for k in range(1, 25)}
        del after[2], after[11]  # attachment needs 3 of its 4 items: not scored after
        if rng.random() < 0.5:
            after[2] = 4  # ...unless one comes back
        pair(household, {"sps-24": before}, {"sps-24": after})
        b, a = scores("sps-24", before), scores("sps-24", after)
        for key in vectors:
            before_score = b["total"] if key == "total" else b["subscales"][key]
            after_score = a["total"] if key == "total" else a["subscales"][key]
            if before_score is not None and after_score is not None:
                vectors[key][0].append(before_score)
                vectors[key][1].append(after_score)

    sps = section(report_for(manager), "sps-24")

    assert [m.key for m in sps.measures][:2] == ["total", "attachment"]
    for key, (before, after) in vectors.items():
        assert measure(sps, key).result == stats.paired(before, after, higher_is_better=True)
        assert measure(sps, key).n == len(before)
    assert measure(sps, "attachment").n < measure(sps, "social_integration").n == 12


def test_ucla_3_counts_a_lower_score_as_an_improvement(program, region, manager):
    for household in households(program, region, 10):
        pair(
            household,
            {**ucla(3), "sps-5": dict.fromkeys(range(1, 6), 2)},
            {**ucla(1), "sps-5": dict.fromkeys(range(1, 6), 4)},
        )

    report = report_for(manager)

    loneliness = section(report, "ucla-3")
    assert loneliness.higher_is_better is False
    assert measure(loneliness).result.mean_change == -6
    assert (measure(loneliness).result.improved, measure(loneliness).result.worse) == (10, 0)
    support = section(report, "sps-5")
    assert support.higher_is_better is True
    assert measure(support).result.improved == 10


def test_fewer_than_ten_pairs_are_descriptive_only(program, region, manager):
    ucla_pairs(program, region, 7)

    loneliness = section(report_for(manager), "ucla-3")

    total = measure(loneliness)
    assert loneliness.descriptive_only and total.descriptive_only
    assert total.result.mean_change is not None
    assert (total.result.ci_low, total.result.p_t, total.result.dz) == (None, None, None)
    assert total.ci_text == total.p_t_text == total.dz_text == "" and total.directions == []


def test_fewer_than_five_pairs_show_no_figure(program, region, manager):
    ucla_pairs(program, region, 4)

    loneliness = section(report_for(manager), "ucla-3")

    assert loneliness.suppressed and loneliness.n_text == "<5"
    assert loneliness.measures == [] and loneliness.items == []


def test_a_measure_with_fewer_than_five_pairs_is_suppressed_alone(program, region, manager):
    for k, household in enumerate(households(program, region, 6)):
        after = dict.fromkeys(range(1, 25), 4)
        if k < 4:
            for number in (2, 11, 17):  # attachment unscored after, for four of them
                del after[number]
        pair(household, {"sps-24": dict.fromkeys(range(1, 25), 2)}, {"sps-24": after})

    sps = section(report_for(manager), "sps-24")

    attachment = measure(sps, "attachment")
    assert attachment.n == 2 and attachment.n_text == "<5" and attachment.result is None
    assert measure(sps, "guidance").n == 6


def test_item_shares_need_twenty_pairs(program, region, manager):
    def agree(isolated: bool) -> dict:
        return {"program-items": {1: 3, 2: 3, 3: 4 if isolated else 1, 4: 3, 5: 3}}

    for k, household in enumerate(households(program, region, 19)):
        pair(household, agree(k < 11), agree(k < 6))

    isolated = next(i for i in section(report_for(manager), "program-items").items if i.number == 3)
    assert isolated.n == 19 and not isolated.shown
    assert isolated.before_text == isolated.after_text == ""
    assert isolated.favourable == "lower"

    pair(waiting_household(program, region), agree(True), agree(False))

    isolated = next(i for i in section(report_for(manager), "program-items").items if i.number == 3)
    assert isolated.n == 20 and isolated.shown
    assert (isolated.before.count, isolated.after.count) == (12, 6)
    assert (isolated.before_text, isolated.after_text) == ("60%", "30%")


def test_a_small_count_behind_a_percentage_shows_as_a_bound():
    few = selectors.ItemShare(
        number=1,
        label="feel welcome",
        favourable="higher",
        n=20,
        before=stats.Share(n=20, count=2, proportion=0.1),
        after=stats.Share(n=20, count=18, proportion=0.9),
    )

    assert few.before_text == "under 25%"
    assert few.after_text == "over 75%"
    assert few.exact(few.before) is None and few.exact(few.after) is None


def test_small_counts_hide_a_complementary_cell():
    assert selectors.suppress({"improved": 3, "unchanged": 10, "worse": 12}) == {
        "improved": "<5",
        "unchanged": None,
        "worse": "12",
    }
    assert selectors.suppress({"improved": 3, "unchanged": 0, "worse": 2}) == {
        "improved": "<5",
        "unchanged": "0",
        "worse": "<5",
    }
    assert selectors.suppress({"improved": 8, "unchanged": 0, "worse": 12}) == {
        "improved": "8",
        "unchanged": "0",
        "worse": "12",
    }


def test_directions_are_suppressed_and_shown_as_percentages_from_twenty(program, region, manager):
    # 18 lonelier-to-less-lonely, 2 unchanged: "<5" for the 2, and 18 hidden with it.
    for k, household in enumerate(households(program, region, 20)):
        pair(household, ucla(3), ucla(3 if k < 2 else 1))

    cells = measure(section(report_for(manager), "ucla-3")).directions

    assert [(c.count, c.percent) for c in cells] == [(None, ""), ("<5", ""), ("0", "0%")]


# -- filters ------------------------------------------------------------------------------


def test_it_filters_by_program(region, manager):
    first = ProgramFactory(name="Welcome Groups for refugee claimants")
    second = ProgramFactory(name="Welcome Groups for GARs")
    ucla_pairs(first, region, 5)
    ucla_pairs(second, region, 6)

    assert section(report_for(manager), "ucla-3").n == 11
    assert section(report_for(manager, program_id=first.pk), "ucla-3").n == 5
    assert section(report_for(manager, program_id=second.pk), "ucla-3").n == 6


def test_it_filters_by_region_of_the_household_and_of_the_volunteer(program, manager):
    toronto, peel = RegionFactory(name="Toronto"), RegionFactory(name="Peel")
    ucla_pairs(program, toronto, 5)
    ucla_pairs(program, peel, 6)
    for _k in range(5):
        pair(volunteer(program, peel), ucla(2), ucla(2), program=program)

    peel_report = report_for(manager, region_id=peel.pk)

    assert section(peel_report, "ucla-3").n == 6
    assert section(peel_report, "ucla-3", "volunteer").n == 5
    toronto_report = report_for(manager, region_id=toronto.pk)
    assert section(toronto_report, "ucla-3").n == 5
    assert section(toronto_report, "ucla-3", "volunteer") is None


def test_it_filters_by_language_of_the_after_survey(program, region, manager):
    ucla_pairs(program, region, 5, language="ar")
    ucla_pairs(program, region, 7, language="prs")

    assert section(report_for(manager, language="prs"), "ucla-3").n == 7
    assert section(report_for(manager, language="fr"), "ucla-3") is None


def test_it_filters_by_audience(program, region, manager):
    ucla_pairs(program, region, 5)
    for _k in range(6):
        pair(volunteer(program, region), ucla(2), ucla(2), program=program)

    households_only = report_for(manager, audience="household")
    volunteers_only = report_for(manager, audience="volunteer")

    assert [i.audience for i in households_only.instruments] == ["household"]
    assert [i.audience for i in volunteers_only.instruments] == ["volunteer"]
    assert volunteers_only.pairs == 6


def started_match(coordinator, program, region, on: date) -> Match:
    world = World(
        program=program,
        region=region,
        household=waiting_household(program, region),
        alpha=ready_group(program, region),
        beta=None,
        forming=None,
    )
    match = in_state(MatchStatus.ACTIVE, coordinator, world=world)
    Match.objects.filter(pk=match.pk).update(started_on=on)
    match.refresh_from_db()
    return match


def test_it_filters_by_the_quarter_the_match_started(manager):
    coordinator = UserFactory(role=Role.COORDINATOR)
    world = make_world(coordinator=coordinator)
    matches = [
        started_match(coordinator, world.program, world.region, date(2027, 1 + k % 3, 10))
        for k in range(5)
    ] + [
        started_match(coordinator, world.program, world.region, date(2027, 4, 1)) for _ in range(6)
    ]
    for match in matches:
        pair(match.household, ucla(3), ucla(2), match=match)

    assert section(report_for(manager, cohort="2027-Q1"), "ucla-3").n == 5
    assert section(report_for(manager, cohort="2027-Q2"), "ucla-3").n == 6
    assert section(report_for(manager, cohort="2026-Q4"), "ucla-3") is None
    assert selectors.cohort_choices(manager) == [
        ("2027-Q2", "2027 Q2"),
        ("2027-Q1", "2027 Q1"),
    ]


def test_quarters():
    assert selectors.quarter_of(date(2027, 3, 31)) == "2027-Q1"
    assert selectors.quarter_of(date(2027, 10, 1)) == "2027-Q4"
    assert selectors.quarter_bounds("2027-Q4") == (date(2027, 10, 1), date(2027, 12, 31))
    assert selectors.quarter_bounds("2028-Q1") == (date(2028, 1, 1), date(2028, 3, 31))


def test_a_coordinator_sees_only_their_programs(region):
    mine = ProgramFactory(name="Welcome Groups for refugee claimants")
    theirs = ProgramFactory(name="Welcome Groups for GARs")
    coordinator = UserFactory(role=Role.COORDINATOR)
    coordinator.programs.add(mine)
    ucla_pairs(theirs, region, 12)

    assert report_for(coordinator).instruments == []
    assert report_for(coordinator, program_id=theirs.pk).instruments == []

    ucla_pairs(mine, region, 5)
    assert section(report_for(coordinator), "ucla-3").n == 5


def test_the_number_of_pairs_cannot_give_away_a_hidden_small_group(program, region, manager):
    # 3 household pairs (shown as "<5") and 12 volunteer pairs: a total of 15 would tell,
    # by subtraction, that exactly 3 households answered.
    ucla_pairs(program, region, 3)
    for _ in range(12):
        pair(volunteer(program, region), ucla(3), ucla(2), program=program)

    report = report_for(manager)

    assert section(report, "ucla-3").n_text == "<5"
    assert section(report, "ucla-3", "volunteer").n_text == "12"
    assert "15" not in report.pairs_text
    # One audience at a time, or both groups large enough, the total shows.
    assert report_for(manager, audience="volunteer").pairs_text == "12"
    ucla_pairs(program, region, 5)
    assert report_for(manager).pairs_text == "20"
