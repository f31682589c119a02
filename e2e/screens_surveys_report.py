"""Screens of the survey impact report (/surveys/impact/), in the states people meet it in:
enough pairs for every figure, chart and percentage; a small group (descriptive figures and the
warning); a filter that is not allowed (the error summary). They register into
e2e.screens.SCREENS under the prefix "surveys report: ".

Surveys are stored as submission leaves them (an administration per sitting, one scored
response per instrument), straight with the ORM: the survey pages have screens of their own.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, UserFactory
from accueil.matching.tests.factories import waiting_household
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
from e2e import volunteer_data
from e2e.live import Site
from e2e.screens import screen as _screen

PREFIX = "surveys report: "
SLUGS = ("sps-24", "ucla-3", "program-items")


def screen(name: str):
    return _screen(PREFIX + name)


def _instrument(slug: str) -> Instrument:
    found = Instrument.objects.filter(slug=slug, is_current=True).first()
    return found or instrument_store(shipped_by_slug(slug), source=InstrumentSource.SHIPPED)


def _answers(instrument: Instrument, level: float, rng: random.Random) -> dict[int, int]:
    spec = instrument.spec
    answers = {}
    for item in spec.scored_items:
        values = sorted(spec.scale_of(item).values)
        position = min(max(rng.gauss(level, 0.2), 0.0), 0.999)
        value = values[int(position * len(values))]
        # A negatively worded item is answered the other way round.
        answers[item.number] = values[0] + values[-1] - value if item.reverse else value
    return answers


def surveyed_households(program, count: int, *, seed: int = 3) -> None:
    """``count`` households of ``program`` in Toronto, each with a before-survey and, eight
    months later, an after-survey (SPS-24, UCLA-3 and the program items), most a little
    better off after their match."""
    rng = random.Random(seed)
    instruments = {slug: _instrument(slug) for slug in SLUGS}
    region = volunteer_data.toronto(program)
    start = timezone.now() - timedelta(days=300)
    for k in range(count):
        household = waiting_household(program, region, head_name=f"Household {k + 1}")
        support = rng.uniform(0.2, 0.7)
        for phase, day, level in (
            (Phase.PRE, 0, support),
            (Phase.POST, 240, min(support + rng.gauss(0.15, 0.12), 1.0)),
        ):
            when = start + timedelta(days=day + k)
            administration = Administration.objects.create(
                program=program,
                household=household,
                phase=phase,
                language="ar",
                status=AdminStatus.SUBMITTED,
                mode=Mode.INTERPRETER,
                submitted_at=when,
            )
            for position, (slug, instrument) in enumerate(instruments.items()):
                # Loneliness runs the other way round from support.
                answers = _answers(instrument, 1 - level if slug == "ucla-3" else level, rng)
                Response.objects.create(
                    administration=administration,
                    instrument=instrument,
                    position=position,
                    submitted_at=when,
                    scores=score(instrument.spec, answers).to_dict(),
                )


@screen("impact report")
def _impact(site: Site, language: str) -> None:
    program = volunteer_data.toronto_program()
    surveyed_households(program, 24)
    manager = UserFactory(role=Role.PROGRAM_MANAGER, full_name="Max Manager", language=language)
    site.sign_in_session(manager)
    site.goto("/surveys/impact/")
    main = site.page.locator("main")
    expect(main.locator("svg[role=img]")).to_have_count(3)
    expect(main.locator("table caption")).to_have_count(3)
    expect(main.locator("a[href^='/surveys/research.csv']")).to_be_visible()


@screen("impact report, small group")
def _impact_small(site: Site, language: str) -> None:
    program = volunteer_data.toronto_program()
    surveyed_households(program, 7)
    cora = volunteer_data.coordinator_of(program, language=language)
    site.sign_in_session(cora)
    site.goto("/surveys/impact/")
    main = site.page.locator("main")
    expect(main.locator(".notice[role=note]").first).to_be_visible()
    expect(main.locator("a[href^='/surveys/research.csv']")).to_have_count(0)


@screen("impact report, filter errors")
def _impact_errors(site: Site, language: str) -> None:
    program = volunteer_data.toronto_program()
    other = ProgramFactory(name="Welcome Groups Ottawa", short_name="Ottawa")
    cora = volunteer_data.coordinator_of(program, language=language)
    site.sign_in_session(cora)
    site.goto(f"/surveys/impact/?program={other.pk}")
    expect(site.page.locator(".error-summary li")).to_have_count(1)
