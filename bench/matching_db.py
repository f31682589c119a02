"""Matching from the database: a realistic program (300 waiting households, 100 ready groups of
four approved volunteers) in a fresh SQLite file, or in the database DATABASE_URL names.

Prints one JSON line per measurement:
- ``batch_cold``: loading the waiting list and the groups (group features not cached) and
  solving; target 1 s or less;
- ``batch_warm``: the same with the group features cached;
- ``batch_service``: ``services.batch_run`` as the page calls it, with its writes;
- ``ranking_page``: GET of a household's ranking page (groups cached), p50/p95 over 50
  requests; target 50 ms or less. Then the same with 2,000 groups.

Run: ``python bench/matching_db.py`` (add ``--groups-large 0`` to skip the 2,000-group case).
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
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accueil.accounts.models import Program, Region, Role, User
from accueil.core.taxonomy import SLOTS, IntegrationPriority
from accueil.factories import UserFactory, host_organisation
from accueil.matching import engine, selectors, services
from accueil.matching.features import build_instance
from accueil.newcomers.models import Household, HouseholdStatus
from accueil.volunteers.models import (
    GroupMembership,
    ScreeningStep,
    StepStatus,
    StepType,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
    WelcomeGroup,
)

PRIORITIES = [p for p in IntegrationPriority.values if p != "other"]
HOUSEHOLD_LANGUAGES = ["ar", "ar", "ar", "prs", "fa", "ti", "es", "ps", "so", "uk"]
GROUP_LANGUAGES = ["ar", "es", "fa", "prs", "uk", "ti"]


def make_groups(program, regions, count, rng, offset=0):
    now = timezone.now()
    org = host_organisation()
    users = User.objects.bulk_create(
        User(
            email=f"bench-v{offset * 4 + k}@example.org",
            full_name=f"Volunteer {offset * 4 + k}",
            role=Role.VOLUNTEER,
            organisation=org,
        )
        for k in range(count * 4)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(
            user=user,
            program=program,
            region=rng.choice(regions),
            status=VolunteerStatus.APPROVED,
            gender=rng.choice(["woman", "man", "woman", ""]),
            in_person=rng.random() < 0.7,
            skills=rng.sample(PRIORITIES, 3),
            availability=rng.sample(list(SLOTS), 6),
            consent_version="bench",
            consented_at=now,
        )
        for user in users
    )
    VolunteerLanguage.objects.bulk_create(
        [VolunteerLanguage(volunteer=v, code="en", level="native") for v in volunteers]
        + [
            VolunteerLanguage(volunteer=v, code=rng.choice(GROUP_LANGUAGES), level="fluent")
            for v in volunteers
            if rng.random() < 0.3
        ],
        ignore_conflicts=True,
    )
    ScreeningStep.objects.bulk_create(
        ScreeningStep(
            volunteer=v,
            step_type=StepType.POLICE_CHECK,
            status=StepStatus.DONE,
            completed_at=now,
            expires_on=timezone.localdate() + timedelta(days=700),
        )
        for v in volunteers
    )
    groups = WelcomeGroup.objects.bulk_create(
        WelcomeGroup(
            name=f"Group {offset + k}",
            program=program,
            region=rng.choice(regions),
            invite_code=f"B{offset + k:07d}",
            capacity=1,
        )
        for k in range(count)
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(
            group=groups[k // 4],
            user=user,
            role=GroupMembership.Role.LEAD if k % 4 == 0 else GroupMembership.Role.MEMBER,
        )
        for k, user in enumerate(users)
    )
    return groups


def make_households(program, regions, coordinators, count, rng):
    now = timezone.now()
    made = []
    for k in range(count):
        languages = sorted(
            {rng.choice(HOUSEHOLD_LANGUAGES)} | ({"en"} if rng.random() < 0.3 else set())
        )
        made.append(
            Household(
                program=program,
                region=rng.choice(regions),
                status=HouseholdStatus.WAITING,
                source="partner",
                head_name=f"Household {k}",
                phone=f"+1416555{k:04d}",
                languages=languages,
                immigration_status="gar",
                household_size=rng.randint(1, 8),
                priorities=rng.sample(PRIORITIES, rng.randint(1, 3)),
                availability=rng.sample(list(SLOTS), 6),
                women_only=rng.random() < 0.1,
                meeting_mode=rng.choice(["remote", "remote", "either", "in_person"]),
                coordinator=coordinators[k % len(coordinators)],
                waitlisted_at=now - timedelta(days=int(rng.expovariate(1 / 60))),
                is_eligible=True,
            )
        )
    return Household.objects.bulk_create(made)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def ms(values):
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--groups-large", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(7)
    program = Program.objects.create(name="Bench program")
    regions = [Region.objects.create(name=f"Bench region {k}") for k in range(4)]
    admin = UserFactory(role=Role.ADMIN, email="bench-admin@example.org")
    # Six coordinators share the waiting list, each with room for 20 open matches (the
    # default limit), so caseloads shape the result without blocking most proposals.
    coordinators = []
    for k in range(6):
        coordinator = UserFactory(role=Role.COORDINATOR, email=f"bench-coordinator{k}@example.org")
        coordinator.programs.add(program)
        coordinators.append(coordinator)
    make_groups(program, regions, args.groups, rng)
    households = make_households(program, regions, coordinators, args.households, rng)
    database = os.environ["DATABASE_URL"].split(":", 1)[0]
    common = {"database": database, "households": args.households, "groups": args.groups}

    def batch():
        waiting = list(selectors.waiting_households(program))
        loaded = build_instance(program, waiting)
        return engine.solve(loaded.instance)

    def cold():
        cache.clear()
        return batch()

    batch()  # warm the imports and the database connection
    result = batch()
    for case, fn in (("batch_cold", cold), ("batch_warm", batch)):
        seconds = timed(fn, args.repeat)
        print(
            json.dumps(
                {
                    "case": case,
                    **common,
                    "proposals": len(result.pairs),
                    "total_score": result.total,
                    "method": result.method,
                    "median_seconds": round(statistics.median(seconds), 4),
                    "max_seconds": round(max(seconds), 4),
                    "target_seconds": 1.0,
                }
            ),
            flush=True,
        )
    seconds = timed(lambda: services.batch_run(program=program, by=admin), args.repeat)
    print(
        json.dumps(
            {
                "case": "batch_service",
                **common,
                "median_seconds": round(statistics.median(seconds), 4),
                "max_seconds": round(max(seconds), 4),
            }
        ),
        flush=True,
    )

    client = Client()
    client.force_login(admin)
    sizes = [args.groups] + ([args.groups_large] if args.groups_large > args.groups else [])
    profile = os.environ.get("BENCH_PROFILE")
    for size in sizes:
        if size > WelcomeGroup.objects.filter(program=program).count():
            make_groups(program, regions, size - args.groups, rng, offset=args.groups)
        urls = [f"/matching/households/{h.pk}/" for h in households[:50]]
        assert client.get(urls[0]).status_code == 200  # fills the group cache
        times = []
        if profile:
            import cProfile
            import pstats

            cProfile.runctx(
                "client.get(urls[2])", globals(), {"client": client, "urls": urls}, "/tmp/page.prof"
            )
            pstats.Stats("/tmp/page.prof").sort_stats("cumtime").print_stats(40)
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        print(
            json.dumps(
                {
                    "case": "ranking_page",
                    "database": database,
                    "groups": size,
                    "requests": len(urls),
                    **ms(times),
                    "target_p95_ms": 50,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
