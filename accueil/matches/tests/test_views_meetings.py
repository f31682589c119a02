"""The meeting pages: who reaches them (404 for everyone else), booking, changing and
cancelling from the pages, and the meetings panels on the staff and members' match pages."""

from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accueil.accounts.models import Role
from accueil.conftest import STAFF, assert_personas
from accueil.factories import UserFactory
from accueil.matches import services_meetings
from accueil.matches.models import MatchStatus, Meeting, MeetingMode
from accueil.matches.views.meetings import family_interpreters
from accueil.matching.tests.factories import ready_group
from accueil.messaging.models import Channel, OutboxMessage
from accueil.volunteers.tests.factories import VolunteerFactory

from .factories import in_state, lead_of

pytestmark = pytest.mark.django_db

WHEN = {"date": "2030-03-09", "time": "18:00", "time_zone": "America/Toronto"}


@pytest.fixture
def match(personas):
    return in_state(MatchStatus.ACCEPTED, personas.coordinator)


@pytest.fixture
def meeting(match, personas):
    return services_meetings.meeting_schedule(
        match=match,
        by=personas.coordinator,
        starts_at=datetime(2030, 3, 9, 18, 0),
        time_zone="America/Toronto",
        duration_minutes=60,
        mode=MeetingMode.VIDEO,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member_of(match):
    return match.group.memberships.filter(role="member").first().user


def form_data(**fields) -> dict:
    data = {**WHEN, "duration_minutes": "60", "mode": "video", "interpreter": ""}
    data.update(fields)
    return data


def test_the_booking_page_is_for_staff_of_the_program(personas, match):
    url = reverse("meeting_new", args=[match.pk])
    assert_personas(personas, url, STAFF)
    for user in (member_of(match), lead_of(match.group)):
        assert client_for(user).get(url).status_code == 404
    personas.coordinator.programs.clear()
    assert personas.client_for("coordinator").get(url).status_code == 404


def test_the_meeting_page_is_for_staff_of_the_program(personas, match, meeting):
    url = reverse("meeting_detail", args=[match.pk, meeting.pk])
    assert_personas(personas, url, STAFF)
    assert_personas(personas, url, STAFF, method="post", data=form_data(), ok=(302,))
    for user in (member_of(match), lead_of(match.group)):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, form_data()).status_code == 404


def test_only_staff_may_cancel(personas, match, meeting):
    url = reverse("meeting_cancel", args=[match.pk, meeting.pk])
    for user in (member_of(match), lead_of(match.group)):
        assert client_for(user).post(url).status_code == 404
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    # The first staff persona cancels; the others are sent back with "already cancelled".
    assert_personas(personas, url, STAFF, method="post", ok=(302,))
    meeting.refresh_from_db()
    assert meeting.is_cancelled


def test_a_meeting_is_reached_only_through_its_own_match(personas, meeting):
    other = in_state(MatchStatus.ACCEPTED, personas.coordinator)
    client = personas.client_for("coordinator")
    assert client.get(reverse("meeting_detail", args=[other.pk, meeting.pk])).status_code == 404
    assert client.post(reverse("meeting_cancel", args=[other.pk, meeting.pk])).status_code == 404
    assert client.get(reverse("meeting_detail", args=[meeting.match_id, 999999])).status_code == (
        404
    )


def test_staff_book_the_introduction_from_the_page(personas, match):
    client = personas.client_for("coordinator")
    page = client.get(reverse("meeting_new", args=[match.pk]))
    assert page.status_code == 200
    assert "Book the introduction meeting" in page.text
    assert 'value="America/Toronto" selected' in page.text

    response = client.post(
        reverse("meeting_new", args=[match.pk]), form_data(interpreter=str(personas.interpreter.pk))
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("match_detail", args=[match.pk])
    meeting = Meeting.objects.get(match=match)
    assert meeting.interpreter == personas.interpreter
    assert meeting.local_start == datetime(2030, 3, 9, 18, 0, tzinfo=meeting.zone)
    match.refresh_from_db()
    assert match.status == MatchStatus.INTRODUCTION_SCHEDULED
    emails = OutboxMessage.objects.filter(channel=Channel.EMAIL)
    assert personas.interpreter.email in {m.to_address for m in emails}
    assert all(m.attachments for m in emails)


def test_the_form_refuses_a_time_that_has_passed(personas, match):
    response = personas.client_for("coordinator").post(
        reverse("meeting_new", args=[match.pk]), form_data(date="2020-01-06")
    )

    assert response.status_code == 400
    assert "Choose a date and time that has not passed." in response.text
    assert 'href="#id_date"' in response.text  # the error summary links to the field
    assert not Meeting.objects.exists()


def test_the_form_refuses_a_time_the_clocks_skip(personas, match):
    response = personas.client_for("coordinator").post(
        reverse("meeting_new", args=[match.pk]), form_data(date="2030-03-10", time="02:30")
    )

    assert response.status_code == 400
    assert "The clocks change at that time on that day" in response.text


def test_the_form_asks_for_the_place_of_a_meeting_in_person(personas, match):
    response = personas.client_for("coordinator").post(
        reverse("meeting_new", args=[match.pk]), form_data(mode="in_person")
    )

    assert response.status_code == 400
    assert "Enter where the meeting takes place." in response.text


def test_a_proposed_match_cannot_have_a_meeting_yet(personas):
    proposed = in_state(MatchStatus.PROPOSED, personas.coordinator)
    response = personas.client_for("coordinator").get(reverse("meeting_new", args=[proposed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("match_detail", args=[proposed.pk])


def test_staff_change_a_meeting_from_its_page(personas, match, meeting):
    client = personas.client_for("coordinator")
    url = reverse("meeting_detail", args=[match.pk, meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="2030-03-09"' in page.text and 'value="18:00"' in page.text

    response = client.post(url, form_data(time="19:30", mode="phone"))

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.mode == MeetingMode.PHONE
    assert (meeting.local_start.hour, meeting.local_start.minute) == (19, 30)


def test_a_cancelled_meeting_is_shown_not_changed(personas, match, meeting):
    services_meetings.meeting_cancel(meeting=meeting, by=personas.coordinator, reason="Moved")
    client = personas.client_for("coordinator")
    url = reverse("meeting_detail", args=[match.pk, meeting.pk])

    page = client.get(url)
    assert "This meeting was cancelled." in page.text
    assert "Save and send the changes" not in page.text
    assert "Cancel the meeting" not in page.text
    client.post(url, form_data(time="10:00"))
    meeting.refresh_from_db()
    assert meeting.sequence == 1  # the cancellation only


def test_interpreters_speaking_any_of_the_familys_languages_come_first(match):
    match.household.languages = ["ar", "fa"]
    match.household.save(update_fields=["languages"])
    speaks_farsi = UserFactory(role=Role.INTERPRETER, full_name="Zed Farsi")
    VolunteerFactory(user=speaks_farsi, languages=[("fa", "fluent")])
    speaks_spanish = UserFactory(role=Role.INTERPRETER, full_name="Ana Spanish")
    VolunteerFactory(user=speaks_spanish, languages=[("es", "fluent")])

    rows = family_interpreters(match.household)

    order = [(row["user"], row["speaks"]) for row in rows]
    assert order[0] == (speaks_farsi, True)
    assert order[-1] == (speaks_spanish, False)


# -- the panels -----------------------------------------------------------------------------


def test_the_staff_match_page_offers_to_book_the_introduction(personas, match):
    page = personas.client_for("coordinator").get(reverse("match_detail", args=[match.pk]))
    assert reverse("meeting_new", args=[match.pk]) in page.text
    assert "Book the introduction meeting" in page.text


def test_the_staff_match_page_lists_the_meetings(personas, match, meeting):
    page = personas.client_for("coordinator").get(reverse("match_detail", args=[match.pk]))
    assert reverse("meeting_detail", args=[match.pk, meeting.pk]) in page.text
    assert "Saturday 9 March 2030" in page.text
    # The introduction is booked: what is offered now is a later meeting.
    assert "Book a meeting" in page.text


def test_members_see_the_time_and_the_link_never_the_familys_phone(match, meeting):
    member = member_of(match)
    page = client_for(member).get(reverse("my_match", args=[match.pk]))

    assert page.status_code == 200
    assert "Meetings to come" in page.text
    assert "Saturday 9 March 2030" in page.text
    assert meeting.video_url in page.text
    assert match.household.phone not in page.text
    assert reverse("meeting_detail", args=[match.pk, meeting.pk]) not in page.text


def test_members_of_another_group_see_nothing(match, meeting):
    other = ready_group(match.program, match.household.region, name="Other group")
    client = client_for(lead_of(other))
    assert client.get(reverse("my_match", args=[match.pk])).status_code == 404
