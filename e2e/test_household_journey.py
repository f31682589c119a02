"""The acceptance journey of a newcomer household, in a real browser.

A partner referrer (who signs in with an authenticator app) refers a household in English
through the form and its check page. A coordinator of the program sees it with its eligibility
explained, takes it, books the onboarding call with an interpreter, records the call from its
checklist, fills the profile (with a staff-only note), records the share-profile consent and
puts the household on the waitlist. The partner then reads "Waiting for a match" in My
referrals, and nowhere the staff note. axe-core finds nothing on any page either of them saw.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accueil.messaging.models import OutboxMessage
from accueil.newcomers.models import Household, HouseholdStatus
from e2e import screens_households  # noqa: F401  (registers the newcomers screens)
from e2e.live import Site, assert_no_axe_violations
from e2e.screens_households import coordinator, interpreter, partner, program

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_NOTE = "Husband recovering from surgery; never mention it to the group."
SHARED_PROFILE = "A family of four who love football and want to practise English."


def checked(site: Site) -> None:
    """Every page the journey stops on: no axe violation, no script error."""
    assert_no_axe_violations(site.page)
    assert site.page_errors == []


def submit(site: Site, name: str | None = None) -> None:
    selector = "main form button[type=submit]"
    if name:
        selector = f"main form button[type=submit]:text-is('{name}')"
    site.page.locator(selector).last.click()


def test_a_referral_reaches_the_waitlist_and_the_partner_sees_no_staff_note(new_site):
    toronto = program()
    pat = partner("en")
    cora = coordinator("en", of=toronto)
    ibrahim = interpreter(toronto)

    # The partner refers a household, in English, through the real form.
    referrer = new_site(bypass_csp=True)
    referrer.sign_in(pat)  # with a TOTP code: partners need two-step verification
    page = referrer.page
    referrer.goto("/refer/")
    expect(page.locator("h1")).to_have_text("Refer a household")
    checked(referrer)
    page.locator("input[name=head_name]").fill("Amina Haddad")
    page.locator("input[name=head_preferred_name]").fill("Amina")
    page.locator("input[name=phone]").fill("416 555 0199")
    page.locator("input[name=whatsapp][value=yes]").check()
    page.locator("input[name=language_1]").fill("Arabic")
    page.locator("input[name=interpreter_needed][value=yes]").check()
    page.locator("input[name=immigration_status][value=gar]").check()
    arrival = timezone.localdate() - timedelta(days=400)
    page.locator("input[name=arrival_date]").fill(arrival.isoformat())
    page.locator("input[name=household_size]").fill("4")
    page.locator("textarea[name=composition]").fill("Amina, her husband and two children")
    page.locator("input[name=city]").fill("Toronto")
    page.locator("select[name=region]").select_option(label="Toronto")
    page.locator("select[name=priority_1]").select_option("language_practice")
    page.locator("select[name=priority_2]").select_option("employment")
    page.locator("input[name=consent_method][value=interpreter]").check()
    page.locator("input[name=consent_language]").fill("Arabic")
    page.locator("input[name=consent_confirmed]").check()
    submit(referrer)
    expect(page).to_have_url(referrer.url("/refer/check/"))
    expect(page.locator("main .summary").first).to_contain_text("Amina Haddad")
    checked(referrer)
    submit(referrer)
    expect(page).to_have_url(re.compile(r"/refer/\d+/$"))
    household = Household.objects.get()  # names are encrypted: no lookup by name
    expect(page).to_have_url(referrer.url(f"/refer/{household.pk}/"))
    checked(referrer)
    assert household.eligible is True, household.eligibility_reason

    # The coordinator sees it, with its eligibility explained.
    staff = new_site(bypass_csp=True)
    staff.sign_in(cora)
    page = staff.page
    staff.goto("/households/")
    checked(staff)
    page.locator("main table tbody a", has_text="Amina").click()
    detail = staff.url(f"/households/{household.pk}/")
    expect(page).to_have_url(detail)
    eligibility = page.locator("section.staff-only").first
    expect(eligibility).to_contain_text(household.eligibility_reason.splitlines()[0])
    checked(staff)
    page.locator("main a", has_text="The referral: eligibility").click()
    expect(page).to_have_url(staff.url(f"/refer/{household.pk}/"))
    checked(staff)
    staff.goto(f"/households/{household.pk}/")

    # Takes it and books the onboarding call with an interpreter who speaks Arabic.
    page.locator("main form[action$='/take/'] button").click()
    expect(page.locator("main form[action$='/take/']")).to_have_count(0)
    checked(staff)
    page.locator("main a[href$='/onboarding/']").click()
    expect(page.locator("input[name=language]")).to_have_value("Arabic")
    suggested = page.locator("select[name=interpreter] optgroup").first
    expect(suggested.locator("option")).to_have_text(ibrahim.display_name)
    checked(staff)
    when = timezone.localtime() + timedelta(days=2)
    page.locator("input[name=when]").fill(when.strftime("%Y-%m-%dT10:00"))
    page.locator("select[name=interpreter]").select_option(str(ibrahim.pk))
    submit(staff)
    expect(page).to_have_url(detail)
    expect(page.locator("main .task-list")).to_contain_text(ibrahim.display_name)
    assert OutboxMessage.objects.filter(recipient=ibrahim).exists()
    checked(staff)

    # Runs the call from the checklist and records how long it took.
    page.locator("main .action-bar a", has_text="Run the call").click()
    expect(page).to_have_url(re.compile(r"/onboarding/\d+/$"))
    checked(staff)
    for box in page.locator("input[name=checklist]").all():
        box.check()
    page.locator("input[name=duration_minutes]").fill("40")
    page.locator("main form button[value=complete]").click()
    expect(page).to_have_url(detail)
    expect(page.locator("main .task-list")).to_contain_text("40 minutes")
    checked(staff)

    # Fills the profile: priorities, availability, channels, the shared profile, a staff note.
    page.locator("main a[href$='/profile/']").click()
    checked(staff)
    expect(page.locator("select[name=priority_1]")).to_have_value("language_practice")
    page.locator("select[name=priority_3]").select_option("socializing")
    for slot in ("mon_evening", "wed_evening", "sat_morning"):
        page.locator(f"input[name=availability][value={slot}]").check()
    page.locator("input[name=channels][value=whatsapp]").check()
    page.locator("input[name=channels][value=phone]").check()
    page.locator("input[name=meeting_mode][value=remote]").check()
    page.locator("textarea[name=shared_profile]").fill(SHARED_PROFILE)
    page.locator("textarea[name=staff_notes]").fill(STAFF_NOTE)
    submit(staff)
    expect(page).to_have_url(detail)
    expect(page.locator("main")).to_contain_text(STAFF_NOTE)
    checked(staff)

    # The partner's consent covered taking part; sharing the profile is asked in the call.
    page.locator("main a[href$='/consent/?purpose=share_profile']").click()
    checked(staff)
    expect(page.locator("input[name=purpose][value=share_profile]")).to_be_checked()
    page.locator("input[name=given][value=yes]").check()
    page.locator("input[name=method][value=interpreter]").check()
    submit(staff)
    expect(page).to_have_url(detail)
    checked(staff)

    # And puts the household on the waitlist.
    page.locator("main form[action$='/waitlist/'] button").click()
    expect(page.locator("main .page-heading .tag")).to_have_text("Waiting for a match")
    checked(staff)
    staff.goto("/households/waitlist/")
    expect(page.locator("main")).to_contain_text("Amina")
    checked(staff)
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WAITING

    # The partner sees "Waiting for a match", and nothing of the staff note.
    page = referrer.page
    referrer.goto("/refer/mine/")
    row = page.locator("main table tbody tr", has_text="Amina")
    expect(row).to_contain_text("Waiting for a match")
    checked(referrer)
    row.locator("a").click()
    expect(page).to_have_url(referrer.url(f"/refer/{household.pk}/"))
    expect(page.locator("main")).to_contain_text("Waiting for a match")
    checked(referrer)
    content = page.content()
    assert STAFF_NOTE not in content
    assert "Husband recovering" not in content
    assert referrer.goto(f"/households/{household.pk}/").status == 404
