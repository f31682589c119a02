"""Screens of the matching app (/matching/), in the state a coordinator meets them in: three
ready groups and one that is not, three families on the waitlist. They register into
e2e.screens.SCREENS (imported at the end of e2e/screens.py) under the prefix "matching: ".
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accueil.accounts.models import Role
from accueil.factories import UserFactory
from accueil.matching import services as matching_services
from accueil.newcomers.models import HouseholdStatus
from accueil.newcomers.tests.factories import HouseholdFactory
from e2e import volunteer_data
from e2e.live import Site
from e2e.screens import screen as _screen

PREFIX = "matching: "


def screen(name: str):
    return _screen(PREFIX + name)


def waiting_family(program, by, name, *, days, languages, priorities, availability, **fields):
    return HouseholdFactory(
        program=program,
        region=volunteer_data.toronto(program),
        status=HouseholdStatus.WAITING,
        waitlisted_at=timezone.now() - timedelta(days=days),
        head_name=name,
        languages=languages,
        priorities=priorities,
        availability=availability,
        coordinator=by,
        shared_profile="A family who would like to meet people nearby.",
        **fields,
    )


def program_with_waitlist(language: str = "en"):
    """A program, its coordinator, four groups (three ready) and three waiting families."""
    program = volunteer_data.toronto_program()
    cora = volunteer_data.coordinator_of(program, language=language)
    parkdale = volunteer_data.ready_group(program, by=cora)  # Arabic, Spanish, English
    kwame = volunteer_data.approved_volunteer(
        program,
        "Kwame Asante",
        languages=[("en", "native"), ("fr", "fluent")],
        skills=["employment", "housing"],
        availability=["mon_evening", "wed_evening", "sat_morning"],
    )
    danforth = volunteer_data.welcome_group(
        program,
        by=cora,
        name="Danforth Neighbours",
        lead=kwame,
        members=[
            volunteer_data.approved_volunteer(
                program,
                "Hamid Rahimi",
                languages=[("fa", "native"), ("prs", "fluent"), ("en", "fluent")],
                skills=["employment", "digital_skills"],
                availability=["mon_evening", "wed_evening"],
            ),
            volunteer_data.approved_volunteer(program, "Sarah Cohen", skills=["housing"]),
        ],
    )
    high_park = volunteer_data.welcome_group(
        program,
        by=cora,
        name="High Park Circle",
        lead=volunteer_data.approved_volunteer(
            program, "Marie Tremblay", languages=[("fr", "native"), ("ar", "conversational")]
        ),
        members=[
            volunteer_data.approved_volunteer(program, "Omar Farouk", languages=[("ar", "native")]),
            volunteer_data.approved_volunteer(program, "Grace Lee"),
        ],
    )
    # One member only: not ready, so it shows among the groups that cannot be proposed.
    volunteer_data.welcome_group(
        program,
        by=cora,
        name="Leslieville Supper Club",
        lead=volunteer_data.approved_volunteer(program, "Tom Murphy"),
    )
    families = [
        waiting_family(
            program,
            cora,
            "Amina Haddad",
            days=70,
            languages=["ar"],
            priorities=["socializing", "language_practice"],
            availability=["tue_evening", "sat_morning"],
        ),
        waiting_family(
            program,
            cora,
            "Yonatan Tesfaye",
            days=45,
            languages=["ar", "en"],
            priorities=["employment", "housing"],
            availability=["mon_evening", "sat_morning"],
        ),
        waiting_family(
            program,
            cora,
            "Farid Ahmadi",
            days=30,
            languages=["prs"],
            priorities=["employment", "digital_skills"],
            availability=["wed_evening"],
        ),
    ]
    return program, cora, [parkdale, danforth, high_park], families


def manager(language: str = "en"):
    return UserFactory(role=Role.PROGRAM_MANAGER, full_name="Max Manager", language=language)


@screen("home")
def _home(site: Site, language: str) -> None:
    _program, cora, _groups, _families = program_with_waitlist(language)
    site.sign_in_session(cora)
    site.goto("/matching/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("groups for a household")
def _household(site: Site, language: str) -> None:
    _program, cora, _groups, families = program_with_waitlist(language)
    site.sign_in_session(cora)
    site.goto(f"/matching/households/{families[0].pk}/")
    expect(site.page.locator("#ranked ~ ol li").first).to_be_visible()


@screen("groups for a household, reason missing")
def _household_error(site: Site, language: str) -> None:
    _program, cora, _groups, families = program_with_waitlist(language)
    site.sign_in_session(cora)
    site.goto(f"/matching/households/{families[1].pk}/")
    # Proposing the second group without saying why re-shows the page with the error.
    site.page.locator("#ranked ~ ol > li").nth(1).locator("button[type=submit]").click()
    expect(site.page.locator(".field-error").first).to_be_visible()


@screen("households for a group")
def _group(site: Site, language: str) -> None:
    _program, cora, groups, _families = program_with_waitlist(language)
    site.sign_in_session(cora)
    site.goto(f"/matching/groups/{groups[0].pk}/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("batch proposals")
def _batch(site: Site, language: str) -> None:
    program, cora, _groups, _families = program_with_waitlist(language)
    run = matching_services.batch_run(program=program, by=cora)
    site.sign_in_session(cora)
    site.goto(f"/matching/batch/{run.pk}/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("weights, with a preview")
def _settings(site: Site, language: str) -> None:
    program, _cora, _groups, _families = program_with_waitlist(language)
    max_ = manager(language)
    site.sign_in_session(max_)
    site.goto(f"/matching/settings/{program.pk}/")
    site.page.locator("input[name=language_shared]").fill("50")
    site.page.locator("main button[name=action][value=preview]").click()
    expect(site.page.locator("#preview")).to_be_visible()
