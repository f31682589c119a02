"""Screens of the matches app (a match's life after it is proposed), in the state people meet
them in: the staff match page, the group members' page, meetings, the activity log and the plan,
check-ins and the caseload. They register into e2e.screens.SCREENS (imported at the end of
e2e/screens.py) under the prefix "matches: ".

Every match is built through the real services (accueil/matches/tests/factories.py in_state and
the activity, meeting and check-in services), so its history, check-ins and panels are real.
Everyone signed in gets ``language=language``, so the Arabic run renders in Arabic.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accueil.accounts.models import Role, User
from accueil.factories import UserFactory
from accueil.matches import services as match_services
from accueil.matches import (
    services_activity,
    services_answer_link,
    services_checkins,
    services_closing,
    services_incidents,
    services_meetings,
)
from accueil.matches.models import (
    ActivityMode,
    CheckInOutcome,
    FeedbackSide,
    GoalStatus,
    IncidentCategory,
    IncidentSeverity,
    Match,
    MatchStatus,
    MeetingMode,
)
from accueil.matches.tests.factories import in_state
from accueil.matching.tests.factories import World, ready_group, waiting_household
from accueil.newcomers.models import ConsentPurpose, HouseholdStatus
from accueil.newcomers.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
)
from accueil.volunteers.models import WelcomeGroup
from e2e import volunteer_data
from e2e.live import Site
from e2e.screens import screen as _screen

PREFIX = "matches: "

SHARED_PROFILE = (
    "A family of four from Aleppo: two parents and two children aged 4 and 9. They love "
    "football and cooking, and would like to practise English and find work."
)


def screen(name: str):
    return _screen(PREFIX + name)


@dataclass
class Cast:
    """A program, its coordinator, a ready Welcome Group (a lead and two members) and a
    household on the waitlist, everyone speaking ``language``."""

    program: object
    coordinator: User
    group: WelcomeGroup
    household: object
    lead: User
    member: User

    def world(self) -> World:
        return World(
            program=self.program,
            region=self.household.region,
            household=self.household,
            alpha=self.group,
            beta=None,
            forming=None,
        )


def cast(language: str = "en", *, shares_profile: bool = True) -> Cast:
    program = volunteer_data.toronto_program()
    cora = volunteer_data.coordinator_of(program, language=language)
    lead = volunteer_data.approved_volunteer(
        program,
        "Amira Saleh",
        language=language,
        languages=[("ar", "native"), ("en", "fluent")],
    )
    members = [
        volunteer_data.approved_volunteer(
            program,
            "Daniel Okafor",
            language=language,
            languages=[("en", "native"), ("fr", "conversational")],
        ),
        volunteer_data.approved_volunteer(
            program,
            "Lucía Fernández",
            language=language,
            languages=[("es", "native"), ("en", "fluent")],
        ),
    ]
    group = volunteer_data.welcome_group(
        program, by=cora, name="Parkdale Welcome Group", lead=lead, members=members
    )
    household = HouseholdFactory(
        program=program,
        region=volunteer_data.toronto(program),
        status=HouseholdStatus.WAITING,
        waitlisted_at=timezone.now() - timedelta(days=40),
        head_name="Amina Haddad",
        languages=["ar"],
        priorities=["socializing", "language_practice", "employment"],
        availability=["tue_evening", "sat_morning"],
        meeting_mode="either",
        coordinator=cora,
        shared_profile=SHARED_PROFILE,
    )
    for first_name, age_band in [("Amina", "25-64"), ("Karim", "25-64"), ("Lina", "6-12")]:
        HouseholdMemberFactory(household=household, first_name=first_name, age_band=age_band)
    if shares_profile:
        ConsentFactory(household=household, purpose=ConsentPurpose.SHARE_PROFILE)
    return Cast(program, cora, group, household, lead.user, members[0].user)


def interpreter(language: str = "en") -> User:
    """An interpreter with no volunteer profile: "languages not recorded" in the meeting form."""
    return UserFactory(
        role=Role.INTERPRETER,
        full_name="Yusuf Karimi",
        email="yusuf.karimi@example.org",
        language=language,
    )


def in_two_days_at_six() -> datetime:
    day = timezone.localdate() + timedelta(days=2)
    return datetime.combine(day, time(18, 0))


def book(match: Match, by: User, *, mode: str = MeetingMode.VIDEO, interpreter_user=None):
    return services_meetings.meeting_schedule(
        match=match,
        by=by,
        starts_at=in_two_days_at_six(),
        time_zone=settings.TIME_ZONE,
        duration_minutes=60,
        mode=mode,
        interpreter=interpreter_user,
        instructions="Amira will share her screen to show the neighbourhood map.",
    )


def log(match: Match, by: User, days_ago: int, **fields):
    fields.setdefault("mode", ActivityMode.IN_PERSON)
    fields.setdefault("duration_minutes", 90)
    fields.setdefault("participants", [by])
    return services_activity.activity_log(
        match=match, by=by, date=timezone.localdate() - timedelta(days=days_ago), **fields
    )


def active_match(language: str = "en") -> tuple[Cast, Match]:
    """A match started 30 days ago: a meeting to come, its first check-in completed, then three
    activities (the latest with a concern, so it is in the risk queue), a plan with three goals
    and an extension."""
    people = cast(language)
    cora = people.coordinator
    match = in_state(MatchStatus.ACTIVE, cora, world=people.world())
    book(match, cora, interpreter_user=interpreter())
    # The first check-in, done before the latest concern (so the concern is news).
    checkins = list(match.checkins.order_by("due_on", "pk"))
    first = checkins[0]
    services_checkins.checkin_record_volunteers(
        checkin=first,
        by=cora,
        rating=4,
        wellbeing=4,
        workload=3,
        notes="Good start; the children enjoy the library visits.",
        priorities="Library cards done.",
    )
    services_checkins.checkin_record_household(
        checkin=first,
        by=cora,
        satisfaction=5,
        progress="They feel less alone.",
        concerns="",
        through_interpreter=True,
    )
    first.refresh_from_db()
    services_checkins.checkin_complete(
        checkin=first, by=cora, outcome=CheckInOutcome.ON_TRACK, notes="Next: employment."
    )
    log(
        match,
        people.lead,
        25,
        participants=[people.lead, people.member],
        priorities=["socializing"],
        note="We walked to the library and got everyone a card.",
    )
    log(
        match,
        people.member,
        12,
        mode=ActivityMode.PHONE,
        duration_minutes=30,
        priorities=["employment"],
        note="Talked through the résumé.",
    )
    log(
        match,
        people.lead,
        3,
        mode=ActivityMode.VIDEO,
        duration_minutes=45,
        priorities=["language_practice"],
        note="English conversation practice.",
        concern=True,
        concern_text="The landlord has asked the family to leave by the end of the month.",
    )
    today = timezone.localdate()
    goals = [
        ("socializing", "Join the Saturday club", "Amira", 14, GoalStatus.IN_PROGRESS),
        ("employment", "Update the résumé in English", "Daniel", 30, GoalStatus.PLANNED),
        ("language_practice", "Register for LINC classes", "Lucía", -5, GoalStatus.DONE),
    ]
    for priority, what, who, by_when, status in goals:
        services_activity.goal_add(
            match=match,
            by=cora,
            priority=priority,
            what=what,
            who=who,
            by_when=today + timedelta(days=by_when),
            status=status,
        )
    match.refresh_from_db()
    match_services.match_extend(
        match=match,
        by=cora,
        new_end=match.planned_end + timedelta(days=60),
        reason="The family asked for help through the winter.",
    )
    match.refresh_from_db()
    return people, match


def proposed_match(language: str = "en") -> tuple[Cast, Match]:
    people = cast(language)
    return people, in_state(MatchStatus.PROPOSED, people.coordinator, world=people.world())


def accepted_match(language: str = "en") -> tuple[Cast, Match]:
    people = cast(language)
    return people, in_state(MatchStatus.ACCEPTED, people.coordinator, world=people.world())


def closing_match(language: str = "en") -> tuple[Cast, Match]:
    people = cast(language)
    return people, in_state(MatchStatus.CLOSING, people.coordinator, world=people.world())


def report_incident(match: Match, by: User, **fields):
    fields.setdefault("category", IncidentCategory.SAFETY)
    fields.setdefault("severity", IncidentSeverity.HIGH)
    fields.setdefault(
        "what_happened",
        "During Saturday's visit the landlord shouted at Amina and said the family must leave "
        "by Friday. The children were frightened.",
    )
    return services_incidents.incident_report(match=match, by=by, **fields)


# The staff pages.


@screen("staff match page, proposed")
def _detail_proposed(site: Site, language: str) -> None:
    people, match = proposed_match(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/")
    expect(site.page.locator("#action-household_answer input[type=radio]").first).to_be_visible()
    expect(site.page.locator("#action-withdraw textarea")).to_be_visible()


@screen("staff match page, active")
def _detail_active(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/")
    expect(site.page.locator("#extensions")).to_be_visible()
    expect(site.page.locator("#panel-checkins-title")).to_be_visible()
    expect(site.page.locator("section[aria-labelledby=panel-activity-title] .task")).to_have_count(
        3
    )
    expect(site.page.locator("#action-extend input[name=new_end]")).to_be_visible()


@screen("meeting form")
def _meeting_new(site: Site, language: str) -> None:
    people, match = accepted_match(language)
    interpreter(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/meetings/new/")
    expect(site.page.locator("input[name=date]")).to_be_visible()
    expect(site.page.locator("select[name=interpreter]")).to_be_visible()


@screen("meeting detail")
def _meeting_detail(site: Site, language: str) -> None:
    people, match = accepted_match(language)
    meeting = book(match, people.coordinator, interpreter_user=interpreter(language))
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/meetings/{meeting.pk}/")
    expect(site.page.locator("#cancel-reason")).to_be_visible()


@screen("staff activity log")
def _match_activity(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/activity/")
    expect(site.page.locator("main .notice--error")).to_be_visible()  # the concern


@screen("plan, staff")
def _match_plan(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/plan/")
    expect(site.page.locator("main .task-list__item")).to_have_count(3)


@screen("goal form")
def _goal_form(site: Site, language: str) -> None:
    people, match = active_match(language)
    goal = match.goals.order_by("pk").first()
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/plan/{goal.pk}/")
    expect(site.page.locator("select[name=priority]")).to_be_visible()


@screen("check-in")
def _checkin(site: Site, language: str) -> None:
    people, match = active_match(language)
    # The next check-in, its volunteers' part already recorded.
    checkin = match.checkins.filter(completed_at__isnull=True, cancelled_at__isnull=True).first()
    services_checkins.checkin_record_volunteers(
        checkin=checkin,
        by=people.coordinator,
        rating=2,
        wellbeing=3,
        workload=2,
        notes="They are worried about the family's housing.",
        priorities="",
    )
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/checkins/{checkin.pk}/")
    expect(site.page.locator("input[name=outcome-outcome]").first).to_be_visible()


@screen("caseload")
def _caseload(site: Site, language: str) -> None:
    people, match = active_match(language)
    # A second match of hers, started a month ago and quiet since: its first check-in is
    # overdue and nothing was logged.
    region = people.household.region
    quiet = World(
        program=people.program,
        region=region,
        household=waiting_household(people.program, region, head_name="Farid Ahmadi"),
        alpha=ready_group(people.program, region, name="High Park Circle"),
        beta=None,
        forming=None,
    )
    in_state(MatchStatus.ACTIVE, people.coordinator, world=quiet)
    site.sign_in_session(people.coordinator)
    site.goto("/caseload/")
    risk = site.page.locator("table").first
    expect(risk.locator("tbody tr")).to_have_count(2)
    expect(risk).to_contain_text(match.group.name)
    expect(site.page.locator("table").nth(1).locator("tbody tr")).to_have_count(1)


# The group members' pages.


@screen("members' page, before acceptance")
def _my_match_proposed(site: Site, language: str) -> None:
    people, match = proposed_match(language)
    site.sign_in_session(people.lead)
    site.goto(f"/my-matches/{match.pk}/")
    expect(site.page.locator("#action-accept_group button")).to_be_visible()
    expect(site.page.locator("#action-decline_group textarea")).to_be_visible()


@screen("members' page, accepted")
def _my_match_accepted(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.member)
    site.goto(f"/my-matches/{match.pk}/")
    expect(site.page.locator("main")).to_contain_text("Aleppo")  # the shared profile
    expect(site.page.locator("#panel-meetings-title")).to_be_visible()
    expect(site.page.locator("main a[href$='/activity/new/']")).to_be_visible()


@screen("my matches")
def _my_matches(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.member)
    site.goto("/my-matches/")
    expect(site.page.locator(f"main a[href='/my-matches/{match.pk}/']")).to_be_visible()


@screen("activity form")
def _activity_new(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.member)
    site.goto(f"/my-matches/{match.pk}/activity/new/")
    expect(site.page.locator("input[name=duration_minutes]")).to_be_visible()


@screen("activity form, errors")
def _activity_new_errors(site: Site, language: str) -> None:
    _activity_new(site, language)
    page = site.page
    page.locator("input[name=duration_minutes]").fill("")
    page.locator("input[name=concern]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary li")).to_have_count(2)


@screen("activity list")
def _activity_list(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.lead)
    site.goto(f"/my-matches/{match.pk}/activity/")
    expect(site.page.locator("main .task")).to_have_count(3)


@screen("plan, member")
def _my_match_plan(site: Site, language: str) -> None:
    people, match = active_match(language)
    site.sign_in_session(people.member)
    site.goto(f"/my-matches/{match.pk}/plan/")
    expect(site.page.locator("main .task-list__item")).to_have_count(3)


# Incidents.


@screen("report an incident (member)")
def _incident_new_member(site: Site, language: str) -> None:
    people, match = accepted_match(language)
    site.sign_in_session(people.member)
    site.goto(f"/my-matches/{match.pk}/incidents/new/")
    expect(site.page.locator("input[name=category]").first).to_be_visible()
    expect(site.page.locator("textarea[name=what_happened]")).to_be_visible()


@screen("report an incident (member), errors")
def _incident_new_member_errors(site: Site, language: str) -> None:
    _incident_new_member(site, language)
    page = site.page
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary li")).to_have_count(3)


@screen("incident reported")
def _incident_reported(site: Site, language: str) -> None:
    people, match = accepted_match(language)
    incident = report_incident(match, people.member)
    site.sign_in_session(people.member)
    site.goto(f"/my-matches/{match.pk}/incidents/{incident.pk}/reported/")
    expect(site.page.locator("main [role=status] h1")).to_be_visible()


@screen("report an incident (staff)")
def _incident_new_staff(site: Site, language: str) -> None:
    people, match = accepted_match(language)
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/incidents/new/")
    expect(site.page.locator("input[name=on_behalf_of_household]")).to_be_checked()


@screen("incident, triaged")
def _incident_triaged(site: Site, language: str) -> None:
    people, match = active_match(language)
    cora = people.coordinator
    incident = report_incident(match, people.lead, severity=IncidentSeverity.HIGH)
    services_incidents.incident_triage(
        incident=incident,
        by=cora,
        triage_notes="Called Amina the same day: the family is safe. The notice is not valid.",
    )
    services_incidents.incident_add_actions(
        incident=incident,
        by=cora,
        actions="Referred the family to the tenants' legal clinic.",
    )
    site.sign_in_session(cora)
    site.goto(f"/matches/{match.pk}/incidents/{incident.pk}/")
    expect(site.page.locator("#incident-triage-title")).to_be_visible()
    expect(site.page.locator("textarea[name=triage-triage_notes]")).to_have_count(0)
    expect(site.page.locator("textarea[name=actions-actions]")).to_be_visible()
    expect(site.page.locator("textarea[name=resolve-resolution]")).to_be_visible()


# Closing.


@screen("closing (staff)")
def _closing_staff(site: Site, language: str) -> None:
    people, match = closing_match(language)
    services_closing.closing_feedback_record(
        match=match,
        by=people.lead,
        side=FeedbackSide.VOLUNTEERS,
        rating=5,
        what_went_well="The children now walk to the library on their own.",
        what_could_improve="More help with the job search earlier on.",
    )
    site.sign_in_session(people.coordinator)
    site.goto(f"/matches/{match.pk}/closing/")
    expect(site.page.locator("main article.card")).to_have_count(1)
    expect(site.page.locator("#closing-form-household")).to_be_visible()
    interpreter_box = site.page.locator("input[name=household-through_interpreter]")
    expect(interpreter_box).to_be_visible()
    # A checkbox, then its label, as on the other forms (not a label above it).
    expect(interpreter_box.locator("xpath=..")).to_have_class("choice")


@screen("closing (member, lead)")
def _closing_lead(site: Site, language: str) -> None:
    people, match = closing_match(language)
    site.sign_in_session(people.lead)
    site.goto(f"/my-matches/{match.pk}/closing/")
    expect(site.page.locator("#closing-form-volunteers")).to_be_visible()
    expect(site.page.locator("input[name=volunteers-rating]").first).to_be_visible()


@screen("check-in form (member)")
def _my_checkin(site: Site, language: str) -> None:
    people, match = active_match(language)
    checkin = match.checkins.filter(completed_at__isnull=True, cancelled_at__isnull=True).first()
    site.sign_in_session(people.member)
    site.goto(f"/my-matches/{match.pk}/checkins/{checkin.pk}/")
    expect(site.page.locator("input[name=volunteers-rating]").first).to_be_visible()


# The household's answer through the texted link (public: nobody signed in). The household
# speaks ``language``, so the page is in it.


def _answer_link_path(language: str) -> str:
    people, match = proposed_match(language)
    people.household.languages = [language]
    people.household.save(update_fields=["languages"])
    link = services_answer_link.answer_link_send(match=match, by=people.coordinator)
    return f"/m/{link.token}/"


@screen("answer link (household)")
def _answer_link(site: Site, language: str) -> None:
    site.goto(_answer_link_path(language))
    expect(site.page.locator("main button[name=answer][value=yes]")).to_be_visible()


@screen("answer link, why not (household)")
def _answer_link_decline(site: Site, language: str) -> None:
    site.goto(_answer_link_path(language))
    site.page.locator("main button[name=answer][value=no]").click()
    expect(site.page.locator("main textarea[name=reason]")).to_be_visible()


@screen("answer link, thank you (household)")
def _answer_link_thanks(site: Site, language: str) -> None:
    site.goto(_answer_link_path(language))
    site.page.locator("main button[name=answer][value=yes]").click()
    expect(site.page.locator("main .apply-panel h1")).to_be_visible()


@screen("answer link, no longer valid")
def _answer_link_invalid(site: Site, language: str) -> None:
    response = site.goto("/m/not-a-real-token/")
    assert response.status == 404
