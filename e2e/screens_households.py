"""Screens of the newcomers app: the referral portal (/refer/) and the staff household pages
(/households/), in the state a person meets them in. They register into e2e.screens.SCREENS,
which the accessibility and Content-Security-Policy tests walk; e2e/screens.py imports this
module at its end so the registry holds them.
"""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accueil.accounts.models import Role
from accueil.factories import OrganisationFactory, ProgramFactory, RegionFactory, UserFactory
from accueil.newcomers.models import HouseholdMember, HouseholdStatus
from accueil.newcomers.services import duplicates as duplicate_services
from accueil.newcomers.tests._households import make_ready
from accueil.newcomers.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    OnboardingCallFactory,
    ProgramIntakeFactory,
)
from e2e import volunteer_data
from e2e.live import Site
from e2e.screens import expect_path
from e2e.screens import screen as _screen

PROGRAM = "Welcome Groups Toronto"
PREFIX = "households: "
AGENCY = "Newcomer Services Agency"


def screen(name: str):
    """Register under one prefix, so ``-k households`` selects every screen of this module."""
    return _screen(PREFIX + name)


# Data ------------------------------------------------------------------------------------------


def program():
    """The program, running in Toronto and Peel (its default eligibility rules apply)."""
    made = ProgramFactory(name=PROGRAM, short_name="Toronto")
    made.regions.add(RegionFactory(name="Toronto"), RegionFactory(name="Peel"))
    return made


def agency():
    return OrganisationFactory(name=AGENCY)


def partner(language: str = "en", *, organisation=None):
    """A partner referrer of the agency (with an authenticator app, as the role requires)."""
    return UserFactory(
        role=Role.PARTNER_REFERRER,
        full_name="Pat Partner",
        email="partner@example.org",
        organisation=organisation or agency(),
        language=language,
    )


def coordinator(language: str = "en", *, of=None):
    """A coordinator of the program."""
    user = UserFactory(
        role=Role.COORDINATOR,
        full_name="Cora Coordinator",
        email="coordinator@example.org",
        language=language,
    )
    user.programs.add(of or program())
    return user


def interpreter(of, name: str = "Ibrahim Khalil", languages=(("ar", "native"),)):
    """An interpreter whose languages are recorded (a volunteer profile)."""
    person = volunteer_data.volunteer(of, name, languages=list(languages))
    person.user.role = Role.INTERPRETER
    person.user.save(update_fields=["role"])
    return person.user


def household(of, *, organisation=None, **fields):
    """A GAR family referred by the agency, a year after arrival."""
    fields.setdefault("head_name", "Amina Haddad")
    fields.setdefault("head_preferred_name", "Amina")
    fields.setdefault("phone", "+14165550123")
    fields.setdefault(
        "eligibility_reason",
        "Government-assisted refugee, arrived 1 year ago: within the 3 years of the program.",
    )
    return HouseholdFactory(
        program=of,
        region=of.regions.get(name="Toronto"),
        referring_organisation=organisation,
        **fields,
    )


def full_household(of, *, by, organisation=None, **fields):
    """A household with everything its page can show: members, calls, consents, a profile."""
    made = household(
        of,
        organisation=organisation,
        staff_notes="Husband's health is fragile; call after 4 pm.",
        accessibility_needs="The grandmother uses a wheelchair.",
        device_access="One smartphone shared by the family.",
        postal_prefix="M6K",
        **fields,
    )
    make_ready(made, by=by)
    made.coordinator = by
    made.save()
    HouseholdMemberFactory(
        household=made, first_name="Amina", age_band=HouseholdMember.AgeBand.ADULT, gender="woman"
    )
    HouseholdMemberFactory(
        household=made,
        first_name="Yusuf",
        age_band="6-12",
        school_or_work="Grade 4",
        needs="Needs help with homework in English.",
    )
    OnboardingCallFactory(household=made, coordinator=by, cancelled_at=timezone.now())
    ConsentFactory(household=made, purpose="research", given=False, obtained_by=by)
    return made


def referral_data(of, **overrides) -> dict:
    """What a partner types in the referral form."""
    data = {
        "program": str(of.pk),
        "head_name": "Amina Haddad",
        "head_preferred_name": "Amina",
        "phone": "416 555 0123",
        "whatsapp": "yes",
        "email": "",
        "language_1": "Arabic",
        "language_2": "English",
        "language_3": "",
        "language_4": "",
        "interpreter_needed": "yes",
        "immigration_status": "gar",
        "arrival_date": (timezone.localdate() - timedelta(days=400)).isoformat(),
        "claim_date": "",
        "household_size": "4",
        "composition": "Amina, her husband and two children aged 4 and 9",
        "city": "Toronto",
        "region": str(of.regions.get(name="Toronto").pk),
        "priority_1": "language_practice",
        "priority_2": "employment",
        "priority_3": "",
        "priority_notes": "The children start school in September.",
        "urgency": "routine",
        "consent_obtained_by": "Pat Partner",
        "consent_date": timezone.localdate().isoformat(),
        "consent_method": "interpreter",
        "consent_language": "Arabic",
        "consent_confirmed": "on",
    }
    return data | overrides


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def _submit(site: Site) -> None:
    site.page.locator("main form button[type=submit]").last.click()


# The referral form (partners) -------------------------------------------------------------------


@screen("refer a household, partner")
def _refer(site: Site, language: str) -> None:
    program()
    site.sign_in_session(partner(language))
    site.goto("/refer/")
    expect(site.page.locator("input[name=head_name]")).to_be_visible()


@screen("refer a household, partner, errors")
def _refer_errors(site: Site, language: str) -> None:
    _refer(site, language)
    page = site.page
    page.locator("input[name=head_name]").fill("Amina Haddad")
    page.locator("input[name=phone]").fill("12345")
    page.locator("input[name=language_1]").fill("Arabic")
    page.locator("input[name=immigration_status][value=gar]").check()
    # A date in the future, and an impossible one typed where the browser has no date picker.
    page.locator("input[name=arrival_date]").fill(
        (timezone.localdate() + timedelta(days=30)).isoformat()
    )
    page.locator("input[name=consent_date]").evaluate("input => { input.type = 'text'; }")
    page.locator("input[name=consent_date]").fill("2025-02-30")
    _submit(site)
    expect(page.locator(".error-summary")).to_be_focused()
    for name in ("phone", "arrival_date", "consent_date"):
        expect(page.locator(f"#id_{name}_error")).to_be_visible()
    # Nothing typed is lost.
    expect(page.locator("input[name=phone]")).to_have_value("12345")
    expect(page.locator("input[name=head_name]")).to_have_value("Amina Haddad")


@screen("refer a household, check answers")
def _refer_check(site: Site, language: str) -> None:
    made = program()
    client = _client(partner(language))
    response = client.post("/refer/", referral_data(made))
    assert response.status_code == 302, response.content.decode()[:2000]
    site.take_over_session(client)
    site.goto("/refer/check/")
    expect(site.page.locator(".summary__action a").first).to_be_visible()


@screen("my referrals, partner")
def _my_referrals(site: Site, language: str) -> None:
    made = program()
    organisation = agency()
    by = coordinator(of=made)
    household(made, organisation=organisation)
    household(
        made,
        organisation=organisation,
        head_name="Bilal Omar",
        head_preferred_name="",
        phone="+14165550124",
        status=HouseholdStatus.NOT_ELIGIBLE,
        is_eligible=False,
        eligibility_reason="Arrived 5 years ago: the program takes families in their first 3.",
    )
    household(
        made,
        organisation=organisation,
        head_name="Hawa Diallo",
        phone="+14165550125",
        status=HouseholdStatus.ONBOARDING,
        coordinator=by,
    )
    household(
        made,
        organisation=organisation,
        head_name="Samir Khoury",
        phone="+14165550126",
        waiting=True,
    )
    household(
        made,
        organisation=organisation,
        head_name="Farida Noori",
        phone="+14165550127",
        status=HouseholdStatus.MATCHED,
    )
    household(
        made,
        organisation=organisation,
        head_name="Omid Rahimi",
        phone="+14165550128",
        status=HouseholdStatus.WITHDRAWN,
    )
    site.sign_in_session(partner(language, organisation=organisation))
    site.goto("/refer/mine/")
    expect(site.page.locator("main table tbody tr")).to_have_count(6)


@screen("referral, for a partner")
def _referral_partner(site: Site, language: str) -> None:
    made = program()
    organisation = agency()
    referred = household(made, organisation=organisation, consent=True)
    site.sign_in_session(partner(language, organisation=organisation))
    site.goto(f"/refer/{referred.pk}/")
    expect(site.page.locator("h1")).to_be_visible()


def _flagged(made, organisation):
    """Two records of one family: the same phone number, referred twice."""
    first = household(made, organisation=organisation, consent=True)
    second = household(
        made,
        organisation=None,
        source="staff_phone",
        head_name="Amina Hadad",
        head_preferred_name="",
        city="Mississauga",
    )
    second.possible_duplicate_of = first
    second.save()
    return first, second


@screen("referral, for staff")
def _referral_staff(site: Site, language: str) -> None:
    made = program()
    organisation = agency()
    by = coordinator(language, of=made)
    first, second = _flagged(made, organisation)
    duplicate_services.household_merge(keep=first, merge=second, by=by)
    first.eligibility_override = True
    first.override_reason = "The family arrived in Montréal first; the window counts from then."
    first.save()
    site.sign_in_session(by)
    site.goto(f"/refer/{first.pk}/")
    expect(site.page.locator("h1")).to_be_visible()


@screen("eligibility decision")
def _eligibility(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    referred = household(
        made,
        organisation=agency(),
        status=HouseholdStatus.NOT_ELIGIBLE,
        is_eligible=False,
        eligibility_reason="Arrived 5 years ago: the program takes families in their first 3.",
    )
    site.sign_in_session(by)
    site.goto(f"/refer/{referred.pk}/eligibility/")
    expect(site.page.locator("textarea[name=reason]")).to_be_visible()


@screen("eligibility decision, errors")
def _eligibility_errors(site: Site, language: str) -> None:
    _eligibility(site, language)
    _submit(site)
    expect(site.page.locator(".error-summary")).to_be_visible()


@screen("possible duplicates")
def _duplicates(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    _flagged(made, agency())
    site.sign_in_session(by)
    site.goto("/refer/duplicates/")
    expect(site.page.locator("main table tbody tr")).to_have_count(1)


@screen("possible duplicate, review")
def _duplicate_review(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    _first, second = _flagged(made, agency())
    site.sign_in_session(by)
    site.goto(f"/refer/duplicates/{second.pk}/")
    expect(site.page.locator("main table")).to_be_visible()


# Self-referral (nobody signed in) ----------------------------------------------------------------


def _self_program():
    made = program()
    ProgramIntakeFactory(program=made, self_referral_enabled=True)
    return made


def _self_data(made) -> dict:
    data = referral_data(made)
    for name in ("consent_obtained_by", "consent_date", "consent_method", "consent_language"):
        data.pop(name)
    return data | {"website": ""}


@screen("ask for a Welcome Group")
def _self_refer(site: Site, language: str) -> None:
    _self_program()
    site.goto("/refer/self/")
    expect(site.page.locator("input[name=head_name]")).to_be_visible()


@screen("ask for a Welcome Group, errors")
def _self_refer_errors(site: Site, language: str) -> None:
    _self_refer(site, language)
    site.page.locator("input[name=phone]").fill("555")
    _submit(site)
    expect(site.page.locator(".error-summary")).to_be_focused()


def _self_client(made) -> Client:
    client = Client()
    response = client.post("/refer/self/", _self_data(made))
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@screen("ask for a Welcome Group, check answers")
def _self_refer_check(site: Site, language: str) -> None:
    site.take_over_session(_self_client(_self_program()))
    site.goto("/refer/self/check/")
    expect(site.page.locator(".summary__action a").first).to_be_visible()


@screen("ask for a Welcome Group, sent")
def _self_refer_sent(site: Site, language: str) -> None:
    _self_refer_check(site, language)
    _submit(site)
    expect_path(site, "/refer/self/sent/")


# Households (staff) ----------------------------------------------------------------------------


def _households(language: str):
    """A coordinator's program with a household in every status."""
    made = program()
    by = coordinator(language, of=made)
    organisation = agency()
    received = household(made, organisation=organisation)
    household(
        made,
        organisation=organisation,
        head_name="Bilal Omar",
        phone="+14165550124",
        status=HouseholdStatus.NOT_ELIGIBLE,
        is_eligible=False,
    )
    household(
        made,
        organisation=organisation,
        head_name="Hawa Diallo",
        phone="+14165550125",
        status=HouseholdStatus.ONBOARDING,
        coordinator=by,
    )
    household(made, head_name="Samir Khoury", phone="+14165550126", waiting=True)
    household(
        made,
        head_name="Farida Noori",
        phone="+14165550127",
        waiting=True,
        waitlisted_at=timezone.now() - timedelta(days=70),
    )
    household(
        made,
        organisation=organisation,
        head_name="Omid Rahimi",
        phone="+14165550128",
        status=HouseholdStatus.PAUSED,
        waitlisted_at=timezone.now() - timedelta(days=30),
        paused_until=timezone.localdate() + timedelta(days=20),
        pause_reason="Travelling to see family.",
    )
    return made, by, received


@screen("list")
def _household_list(site: Site, language: str) -> None:
    _made, by, _received = _households(language)
    site.sign_in_session(by)
    site.goto("/households/")
    expect(site.page.locator("main table tbody tr").first).to_be_visible()


@screen("list, one status")
def _household_list_status(site: Site, language: str) -> None:
    _made, by, _received = _households(language)
    site.sign_in_session(by)
    site.goto("/households/?status=waiting")
    expect(site.page.locator("main table tbody tr")).to_have_count(2)


@screen("list, phone search, nobody")
def _household_search_none(site: Site, language: str) -> None:
    _made, by, _received = _households(language)
    site.sign_in_session(by)
    site.goto("/households/")
    site.page.locator("main input[name=phone]").fill("416 555 9999")
    site.page.locator("main input[name=phone]").press("Enter")
    expect(site.page.locator("main input[name=phone]")).to_have_value("416 555 9999")
    expect(site.page.locator("main table tbody td[colspan]")).to_be_visible()


@screen("list, phone search, not a number")
def _household_search_invalid(site: Site, language: str) -> None:
    _made, by, _received = _households(language)
    site.sign_in_session(by)
    site.goto("/households/")
    site.page.locator("main input[name=phone]").fill("12")
    site.page.locator("main input[name=phone]").press("Enter")
    expect(site.page.locator("main input[name=phone]")).to_have_attribute("aria-invalid", "true")


@screen("waitlist")
def _waitlist(site: Site, language: str) -> None:
    _made, by, _received = _households(language)
    site.sign_in_session(by)
    site.goto("/households/waitlist/")
    expect(site.page.locator("main table tbody tr").first).to_be_visible()


@screen("household")
def _household_detail(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    made_household = full_household(made, by=by, organisation=agency())
    site.sign_in_session(by)
    site.goto(f"/households/{made_household.pk}/")
    expect(site.page.locator("main form[action$='/waitlist/'] button")).to_be_visible()


@screen("household, referral just received")
def _household_received(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    referred = household(made, organisation=agency(), consent=True)
    site.sign_in_session(by)
    site.goto(f"/households/{referred.pk}/")
    expect(site.page.locator("main form[action$='/take/'] button")).to_be_visible()


@screen("household, taken")
def _household_take(site: Site, language: str) -> None:
    _household_received(site, language)
    site.page.locator("main form[action$='/take/'] button").click()
    expect(site.page.locator("main form[action$='/take/']")).to_have_count(0)


@screen("book the onboarding call")
def _household_schedule(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    referred = household(made, organisation=agency(), consent=True, coordinator=by)
    interpreter(made)
    interpreter(made, "Chloé Gagnon", languages=[("fr", "native")])
    UserFactory(role=Role.INTERPRETER, full_name="Dari Interpreter")
    site.sign_in_session(by)
    site.goto(f"/households/{referred.pk}/onboarding/")
    expect(site.page.locator("select[name=interpreter] optgroup")).to_have_count(3)


@screen("book the onboarding call, errors")
def _household_schedule_errors(site: Site, language: str) -> None:
    _household_schedule(site, language)
    site.page.locator("input[name=language]").fill("Klingonese")
    _submit(site)
    expect(site.page.locator(".error-summary")).to_be_visible()


@screen("onboarding call")
def _household_call(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    referred = household(
        made,
        organisation=agency(),
        consent=True,
        coordinator=by,
        status=HouseholdStatus.ONBOARDING,
    )
    call = OnboardingCallFactory(
        household=referred,
        coordinator=by,
        interpreter=interpreter(made),
        checklist={"introduce": True, "consent": True},
    )
    site.sign_in_session(by)
    site.goto(f"/households/{referred.pk}/onboarding/{call.pk}/")
    expect(site.page.locator("input[name=duration_minutes]")).to_be_visible()


@screen("onboarding call, errors")
def _household_call_errors(site: Site, language: str) -> None:
    _household_call(site, language)
    site.page.locator("input[name=duration_minutes]").fill("900")
    site.page.locator("main form button[value=complete]").click()
    expect(site.page.locator(".error-summary")).to_be_visible()


@screen("onboarding call, completed")
def _household_call_done(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    made_household = full_household(made, by=by, organisation=agency())
    call = made_household.onboarding_calls.filter(completed_at__isnull=False).first()
    call.notes = "The family would like a group that includes an Arabic speaker."
    call.save()
    site.sign_in_session(by)
    site.goto(f"/households/{made_household.pk}/onboarding/{call.pk}/")
    expect(site.page.locator("input[name=duration_minutes]")).to_have_count(0)


@screen("household profile")
def _household_profile(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    made_household = full_household(made, by=by, organisation=agency())
    site.sign_in_session(by)
    site.goto(f"/households/{made_household.pk}/profile/")
    expect(site.page.locator("textarea[name=shared_profile]")).to_be_visible()


@screen("household profile, errors")
def _household_profile_errors(site: Site, language: str) -> None:
    _household_profile(site, language)
    page = site.page
    page.locator("select[name=priority_2]").select_option("socializing")
    page.locator("input[name=postal_prefix]").fill("12345")
    _submit(site)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("input[name=postal_prefix]")).to_have_value("12345")


@screen("add a household member")
def _household_member(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    made_household = full_household(made, by=by, organisation=agency())
    site.sign_in_session(by)
    site.goto(f"/households/{made_household.pk}/members/new/")
    expect(site.page.locator("input[name=first_name]")).to_be_visible()


@screen("add a household member, errors")
def _household_member_errors(site: Site, language: str) -> None:
    _household_member(site, language)
    site.page.locator("input[name=languages_text]").fill("Arabic, Klingonese")
    _submit(site)
    expect(site.page.locator(".error-summary")).to_be_visible()


@screen("record consent")
def _household_consent(site: Site, language: str) -> None:
    made = program()
    by = coordinator(language, of=made)
    made_household = full_household(made, by=by, organisation=agency())
    site.sign_in_session(by)
    site.goto(f"/households/{made_household.pk}/consent/?purpose=share_profile")
    expect(site.page.locator("input[name=purpose]").first).to_be_visible()


@screen("record consent, errors")
def _household_consent_errors(site: Site, language: str) -> None:
    _household_consent(site, language)
    site.page.locator("input[name=obtained_on]").fill(
        (timezone.localdate() + timedelta(days=3)).isoformat()
    )
    _submit(site)
    expect(site.page.locator(".error-summary")).to_be_visible()


def _waiting_household(site: Site, language: str):
    made = program()
    by = coordinator(language, of=made)
    made_household = full_household(made, by=by, organisation=agency())
    made_household.status = HouseholdStatus.WAITING
    made_household.waitlisted_at = timezone.now() - timedelta(days=12)
    made_household.save()
    site.sign_in_session(by)
    return made_household


@screen("pause a household")
def _household_pause(site: Site, language: str) -> None:
    made_household = _waiting_household(site, language)
    site.goto(f"/households/{made_household.pk}/pause/")
    expect(site.page.locator("input[name=until]")).to_be_visible()


@screen("pause a household, errors")
def _household_pause_errors(site: Site, language: str) -> None:
    _household_pause(site, language)
    _submit(site)
    expect(site.page.locator(".error-summary")).to_be_visible()


@screen("withdraw a household")
def _household_withdraw(site: Site, language: str) -> None:
    made_household = _waiting_household(site, language)
    site.goto(f"/households/{made_household.pk}/withdraw/")
    expect(site.page.locator("input[name=reason]")).to_be_visible()


@screen("withdraw a household, errors")
def _household_withdraw_errors(site: Site, language: str) -> None:
    _household_withdraw(site, language)
    _submit(site)
    expect(site.page.locator(".error-summary")).to_be_visible()
