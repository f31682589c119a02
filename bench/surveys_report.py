"""The survey impact report from the database: 10,000 households, each with a submitted
before-survey and after-survey (SPS-24, UCLA-3 and the program items, realistic answers scored
by ``scoring.score``), in a fresh SQLite file or in the database DATABASE_URL names.

Prints one JSON line per measurement:
- ``report_page``: GET of /surveys/impact/ as an admin (every pair visible), p50/p95/max over
  ``--repeat`` requests, with the number of queries of one request; target p95 1 s or less.
  The charts of unchanged figures come from the view's small cache of drawn charts;
- ``report_page_charts_drawn``: the same with every chart drawn again (a first view, or the
  figures changed);
- ``report_page_program``: filtered to one program (half the pairs), charts drawn;
- ``report_selector``: ``selectors_report.impact_report`` alone (fetching, pairing,
  statistics), to tell the database and Python from the charts and the template;
- ``report_csv``: GET of /surveys/impact.csv.

Run: ``python bench/surveys_report.py`` (``--pairs 2000`` for a quick run; ``--no-migrations``
builds the tables from the models, as the test suite does).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: F401 - sets up Django
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accueil.accounts.models import Program, Region, Role, User
from accueil.factories import UserFactory
from accueil.newcomers.models import Household, HouseholdStatus
from accueil.surveys import selectors_report
from accueil.surveys.models import (
    Administration,
    AdminStatus,
    Instrument,
    Mode,
    Phase,
    Response,
)
from accueil.surveys.scoring import score
from accueil.surveys.views import report as report_views

LANGUAGES = ["ar", "ar", "ar", "prs", "fa", "ti", "es", "en", "fr"]
SLUGS = ("sps-24", "ucla-3", "program-items")
BATCH = 2000


def make_households(programs, regions, count, rng):
    now = timezone.now()
    made = Household.objects.bulk_create(
        (
            Household(
                program=programs[k % len(programs)],
                region=rng.choice(regions),
                status=HouseholdStatus.CLOSED,
                source="partner",
                head_name=f"Household {k}",
                phone=f"+1416{k:07d}",
                languages=[rng.choice(LANGUAGES)],
                immigration_status="gar",
                household_size=rng.randint(1, 8),
                waitlisted_at=now - timedelta(days=400),
                is_eligible=True,
            )
            for k in range(count)
        ),
        batch_size=BATCH,
    )
    return made


def answers_for(spec, level: float, rng: random.Random) -> dict[int, int]:
    """Answers around a person's ``level`` (0 low to 1 high) on each item's scale, with a few
    skipped, as people answer."""
    answers = {}
    for item in spec.scored_items:
        if rng.random() < 0.03:
            continue
        values = sorted(spec.scale_of(item).values)
        position = min(max(rng.gauss(level, 0.22), 0.0), 0.999)
        value = values[int(position * len(values))]
        if item.reverse:
            value = values[0] + values[-1] - value
        answers[item.number] = value
    return answers


def make_surveys(households, instruments, rng) -> int:
    specs = {slug: instruments[slug].spec for slug in SLUGS}
    start = timezone.now() - timedelta(days=400)
    created = 0
    for first in range(0, len(households), BATCH):
        chunk = households[first : first + BATCH]
        administrations = []
        levels = []
        for household in chunk:
            support = rng.random()
            gain = rng.gauss(0.08, 0.15)  # the program helps a little, on average
            language = household.languages[0]
            for phase, day, level in (
                (Phase.PRE, rng.randint(0, 60), support),
                (Phase.POST, rng.randint(230, 300), min(max(support + gain, 0.0), 1.0)),
            ):
                administrations.append(
                    Administration(
                        program_id=household.program_id,
                        household=household,
                        phase=phase,
                        language=language,
                        status=AdminStatus.SUBMITTED,
                        mode=rng.choice([Mode.LINK, Mode.LINK, Mode.INTERPRETER, Mode.INTERVIEW]),
                        submitted_at=start + timedelta(days=day),
                        slot=f"household-{household.pk}-{phase}",
                    )
                )
                levels.append(level)
        administrations = Administration.objects.bulk_create(administrations, batch_size=BATCH)
        responses = []
        for administration, level in zip(administrations, levels, strict=True):
            for position, slug in enumerate(SLUGS):
                spec = specs[slug]
                # Loneliness runs the other way round from support.
                item_level = 1 - level if slug == "ucla-3" else level
                responses.append(
                    Response(
                        administration=administration,
                        instrument=instruments[slug],
                        position=position,
                        submitted_at=administration.submitted_at,
                        scores=score(spec, answers_for(spec, item_level, rng)).to_dict(),
                    )
                )
        Response.objects.bulk_create(responses, batch_size=BATCH)
        created += len(chunk)
    return created


def ms(values):
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-migrations", action="store_true")
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.no_migrations:
        # The tables straight from the models, as ``pytest --no-migrations`` builds them: for
        # a checkout whose migrations are being written.
        from django.apps import apps

        settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    call_command("createcachetable", verbosity=0)
    instruments = {i.slug: i for i in Instrument.objects.current().filter(slug__in=SLUGS)}
    missing = set(SLUGS) - set(instruments)
    if missing:
        sys.exit(f"instruments not loaded: {', '.join(sorted(missing))}")

    rng = random.Random(11)
    started = time.perf_counter()
    if Program.objects.filter(name__startswith="Bench program").exists():
        # DATABASE_URL names a file a previous run filled: measure again without rebuilding.
        programs = list(Program.objects.filter(name__startswith="Bench program").order_by("pk"))
        admin = User.objects.get(email="bench-admin@example.org")
    else:
        programs = [Program.objects.create(name=f"Bench program {k}") for k in range(2)]
        regions = [Region.objects.create(name=f"Bench region {k}") for k in range(4)]
        admin = UserFactory(role=Role.ADMIN, email="bench-admin@example.org")
        households = make_households(programs, regions, args.pairs, rng)
        make_surveys(households, instruments, rng)
    database = os.environ["DATABASE_URL"].split(":", 1)[0]
    common = {
        "database": database,
        "pairs": Administration.objects.filter(phase=Phase.POST).count(),
        "responses": Response.objects.count(),
        "setup_seconds": round(time.perf_counter() - started, 1),
    }

    client = Client()
    client.force_login(admin)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        client.get("/surveys/impact/")
        cProfile.runctx(
            "client.get('/surveys/impact/')", globals(), {"client": client}, "/tmp/r.prof"
        )
        pstats.Stats("/tmp/r.prof").sort_stats(os.environ["BENCH_PROFILE"]).print_stats(45)

    cases = [
        ("report_page", "/surveys/impact/", False),
        ("report_page_charts_drawn", "/surveys/impact/", True),
        ("report_page_program", f"/surveys/impact/?program={programs[0].pk}", True),
        ("report_csv", "/surveys/impact.csv", False),
    ]
    for case, url, draw in cases:
        response = client.get(url)  # warm: imports, matplotlib's font cache, the connection
        assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        query_count = len(queries)  # now: the list is read from the connection's log
        pairs_line = ""
        if case.startswith("report_page"):
            report = response.context_data["report"]
            pairs_line = report.pairs
        times = []
        for _ in range(args.repeat):
            if draw:
                report_views._drawn.cache_clear()  # every chart drawn again, as on a first view
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        print(
            json.dumps(
                {
                    "case": case,
                    **common,
                    "paired": pairs_line,
                    "requests": args.repeat,
                    **ms(times),
                    "queries": query_count,
                    "target_p95_ms": 1000,
                }
            ),
            flush=True,
        )

    filters = selectors_report.Filters()
    seconds = timed(lambda: selectors_report.impact_report(admin, filters), args.repeat)
    print(
        json.dumps({"case": "report_selector", **common, "requests": args.repeat, **ms(seconds)}),
        flush=True,
    )


if __name__ == "__main__":
    main()
