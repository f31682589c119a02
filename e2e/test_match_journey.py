"""The acceptance journey of a match, in a real browser.

A proposal is accepted by both sides (the group lead on the members' page, the coordinator
records the household's answer after her call); the coordinator books the introduction, a video
call, and every group member's invitation carries an .ics (METHOD:REQUEST). After the
introduction she starts the match. A volunteer logs an activity on his phone (360 px wide) and
ticks the concern box. The coordinator records the first check-in (what the volunteers said,
what the household said, her conclusion), finds the match in the risk queue of her caseload with
the concern, extends it, begins closing and closes it as completed. axe-core finds nothing on
any page anyone saw, and no page raises a JavaScript error.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accueil.matches.models import (
    Activity,
    CheckInOutcome,
    MatchStatus,
    Meeting,
    MeetingKind,
    MeetingMode,
    Outcome,
)
from accueil.messaging.models import Channel, OutboxMessage
from accueil.messaging.services import outbox_deliver
from accueil.newcomers.models import HouseholdStatus
from e2e.live import Site, assert_no_axe_violations
from e2e.screens_matches import proposed_match

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}


def checked(site: Site) -> None:
    assert_no_axe_violations(site.page)
    assert site.page_errors == []


def test_a_match_goes_from_proposal_to_a_completed_close(new_site, mailoutbox):
    people, match = proposed_match("en")
    cora, amira, daniel = people.coordinator, people.lead, people.member
    match_page = f"/matches/{match.pk}/"
    members_page = f"/my-matches/{match.pk}/"

    # The group lead says yes for the group, from her list of matches.
    lead = new_site(bypass_csp=True)
    lead.sign_in(amira)
    lead.goto("/my-matches/")
    checked(lead)
    lead.page.locator(f"main a[href='{members_page}']").click()
    expect(lead.page.locator("#action-accept_group button")).to_be_visible()
    checked(lead)
    lead.page.locator("#action-accept_group button").click()
    expect(lead.page).to_have_url(lead.url(members_page))
    expect(lead.page.locator("#action-accept_group")).to_have_count(0)
    expect(lead.page.locator("main")).to_contain_text("Waiting for both sides to say yes")
    checked(lead)

    # The coordinator (password and a TOTP code) records the household's yes.
    staff = new_site(bypass_csp=True)
    staff.sign_in(cora)
    page = staff.page
    staff.goto(match_page)
    expect(page.locator("main")).to_contain_text("Accepted on")  # by the group
    checked(staff)
    answer = page.locator("#action-household_answer")
    answer.locator("input[value=yes]").check()
    answer.get_by_role("button", name="Record the answer").click()
    expect(page.locator("main .lede .tag")).to_have_text("Accepted by both sides")
    checked(staff)

    # She books the introduction, a video call, through the meeting form.
    page.locator("main a", has_text="Book the introduction meeting").click()
    expect(page).to_have_url(staff.url(f"/matches/{match.pk}/meetings/new/"))
    checked(staff)
    day = timezone.localdate() + timedelta(days=3)
    page.locator("input[name=date]").fill(day.isoformat())
    page.locator("input[name=time]").fill("18:30")
    page.locator("input[name=mode][value=video]").check()
    page.locator("textarea[name=instructions]").fill("Amira opens the call a few minutes early.")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(staff.url(match_page))
    expect(page.locator("main .lede .tag")).to_have_text("Introduction scheduled")
    checked(staff)
    meeting = Meeting.objects.get(match=match)
    assert meeting.kind == MeetingKind.INTRODUCTION
    assert meeting.mode == MeetingMode.VIDEO and meeting.video_url

    # Every member of the group is invited by email, with the .ics attached.
    invitation = OutboxMessage.objects.get(
        channel=Channel.EMAIL, recipient=daniel, template="matches.meeting_invitation"
    )
    (ics,) = invitation.attachments
    assert ics.filename.endswith(".ics")
    assert ics.content_type.startswith("text/calendar")
    calendar = ics.content.decode()
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert "METHOD:REQUEST" in calendar
    assert (
        "METHOD:REQUEST"
        in OutboxMessage.objects.get(recipient=amira, template="matches.meeting_invitation")
        .attachments[0]
        .content.decode()
    )
    # … and the email that leaves carries it as a calendar part.
    outbox_deliver(invitation.pk)
    (email,) = [mail for mail in mailoutbox if mail.to == [daniel.email]]
    parts = [part for part in email.message().walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert "METHOD:REQUEST" in parts[0].get_payload(decode=True).decode()

    # Both sides said yes: the group now reads the family's shared profile and the meeting.
    lead.page.reload()
    expect(lead.page.locator("main")).to_contain_text("Aleppo")
    expect(lead.page.locator("#panel-meetings-title")).to_be_visible()
    expect(lead.page.locator(f"main a[href='{meeting.video_url}']")).to_be_visible()
    checked(lead)

    # The introduction took place: the match starts.
    page.locator("#action-start button").click()
    expect(page.locator("main .lede .tag")).to_have_text("Active")
    expect(page.locator("#panel-checkins-title")).to_be_visible()
    checked(staff)

    # A volunteer logs what the group did, on his phone, and raises a concern.
    phone = new_site(viewport=PHONE, bypass_csp=True)
    phone.sign_in(daniel)
    phone.goto(members_page)
    checked(phone)
    phone.page.locator("main a", has_text="Log an activity").first.click()
    expect(phone.page).to_have_url(phone.url(f"/my-matches/{match.pk}/activity/new/"))
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"] + 1
    checked(phone)
    form = phone.page.locator("main form")
    expect(form.locator("input[name=duration_minutes]")).to_have_value("60")
    form.locator("input[name=duration_minutes]").fill("90")
    form.locator("input[name=priorities][value=socializing]").check()
    form.locator("textarea[name=note]").fill("A picnic at Trinity Bellwoods with the children.")
    form.locator("input[name=concern]").check()
    form.locator("textarea[name=concern_text]").fill("The family may have to leave their flat.")
    form.locator("button[type=submit]").click()
    expect(phone.page).to_have_url(phone.url(members_page))
    expect(phone.page.locator("main")).to_contain_text("Your concern has been passed to the staff")
    checked(phone)
    activity = Activity.objects.get(match=match)
    assert activity.concern and activity.duration_minutes == 90
    assert list(activity.participants.all()) == [daniel]
    assert OutboxMessage.objects.filter(recipient=cora, template="matches.concern_raised").exists()

    # The coordinator records the first check-in (not due yet: she does it early).
    staff.goto(match_page)
    checkin = match.checkins.filter(completed_at__isnull=True, cancelled_at__isnull=True).first()
    page.locator("#panel-checkins-title ~ p a", has_text="Record this check-in").click()
    expect(page).to_have_url(staff.url(f"/matches/{match.pk}/checkins/{checkin.pk}/"))
    checked(staff)
    volunteers = page.locator("section[aria-labelledby=volunteers-title] form")
    volunteers.locator("input[name=volunteers-rating][value='4']").check()
    volunteers.locator("textarea[name=volunteers-notes]").fill("Weekly visits, all going well.")
    volunteers.locator("input[name=volunteers-wellbeing][value='4']").check()
    volunteers.locator("input[name=volunteers-workload][value='3']").check()
    volunteers.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("The volunteers' answers are saved.")
    checked(staff)
    household = page.locator("section[aria-labelledby=household-title] form")
    household.locator("input[name=household-through_interpreter]").check()
    household.locator("input[name=household-satisfaction][value='4']").check()
    household.locator("textarea[name=household-concerns]").fill("They are worried about rent.")
    household.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("The household's answers are saved.")
    checked(staff)
    outcome = page.locator("section[aria-labelledby=outcome-title] form")
    outcome.locator("input[name=outcome-outcome][value=needs_attention]").check()
    outcome.locator("textarea[name=outcome-notes]").fill("Call the housing worker this week.")
    outcome.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("The check-in is completed.")
    expect(page.locator("main .lede")).to_contain_text("Needs attention")
    checked(staff)
    checkin.refresh_from_db()
    assert checkin.completed_at is not None
    assert checkin.outcome == CheckInOutcome.NEEDS_ATTENTION

    # Her caseload: the match is in the risk queue, for the concern. The volunteer's concern
    # came before this check-in (which counts as dealing with it); the household's, recorded at
    # the check-in, is what keeps the match there.
    staff.goto("/caseload/")
    risk = page.locator("#risk ~ .table-wrap").first  # the first table after "Needs attention"
    row = risk.locator("tbody tr", has=page.locator(f"a[href='{match_page}']"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("The household raised a concern at the last check-in")
    checked(staff)
    row.locator(f"a[href='{match_page}']").click()
    expect(page).to_have_url(staff.url(match_page))

    # The family needs the group a while longer: she extends the match.
    match.refresh_from_db()
    new_end = match.planned_end + timedelta(days=61)
    extend = page.locator("#action-extend")
    extend.locator("input[name=new_end]").fill(new_end.isoformat())
    extend.locator("textarea[name=reason]").fill("Help with the move to a new flat.")
    extend.locator("button[type=submit]").click()
    expect(page.locator("#extensions + ul")).to_contain_text("Help with the move to a new flat.")
    checked(staff)
    match.refresh_from_db()
    assert match.planned_end == new_end
    assert match.extensions.count() == 1

    # And, in time, closes it.
    page.locator("#action-begin_closing button").click()
    expect(page.locator("main .lede .tag")).to_have_text("Closing")
    checked(staff)
    page.locator("#action-complete button").click()
    expect(page.locator("main .lede .tag")).to_have_text("Closed")
    expect(page.locator("#facts + dl")).to_contain_text("Completed")
    checked(staff)
    match.refresh_from_db()
    assert match.status == MatchStatus.CLOSED
    assert match.outcome == Outcome.COMPLETED
    assert match.household.status == HouseholdStatus.CLOSED

    assert lead.page_errors == [] and phone.page_errors == []
