"""The activity pages: the phone form (who reaches it, its defaults, its errors), the log for
members and for staff (who reaches it, what each sees, constant queries), and the panels on the
match pages."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.matches import services_activity as services
from accueil.matches.models import Activity, ActivityMode, MatchStatus
from accueil.volunteers.models import GroupMembership, WelcomeGroup

from .factories import in_state, lead_of

pytestmark = pytest.mark.django_db


def _match(personas, status=MatchStatus.ACTIVE):
    """A match with the ``volunteer`` persona in its group and the ``outsider`` persona (also a
    volunteer) in another group of the same program."""
    match = in_state(status, personas.coordinator)
    GroupMembership.objects.create(group=match.group, user=personas.volunteer)
    other = WelcomeGroup.objects.filter(program=match.program).exclude(pk=match.group_id).first()
    GroupMembership.objects.create(group=other, user=personas.outsider)
    return match


def _form(match, user, **changes):
    data = {
        "date": timezone.localdate().isoformat(),
        "mode": "video",
        "duration_minutes": "60",
        "participants": [str(user.pk)],
        "priorities": [],
        "note": "",
    }
    data.update(changes)
    return data


def _log(match, by, **fields):
    values = {
        "match": match,
        "by": by,
        "date": timezone.localdate(),
        "mode": ActivityMode.PHONE,
        "duration_minutes": 30,
        "participants": [by],
        "note": "Practised English at the library.",
    }
    values.update(fields)
    return services.activity_log(**values)


# -- who reaches what -------------------------------------------------------------------------


def test_only_members_of_the_group_reach_the_phone_form(personas):
    match = _match(personas)
    assert_personas(personas, reverse("activity_new", args=[match.pk]), {"volunteer"})


def test_only_members_of_the_group_can_post_an_activity(personas):
    match = _match(personas)
    url = reverse("activity_new", args=[match.pk])
    data = _form(match, personas.volunteer)
    assert_personas(personas, url, {"volunteer"}, method="post", data=data, ok=(302,))
    # Only the member's post was saved.
    assert list(Activity.objects.values_list("logged_by", flat=True)) == [personas.volunteer.pk]


def test_only_members_of_the_group_read_the_members_log(personas):
    match = _match(personas)
    assert_personas(personas, reverse("activity_list", args=[match.pk]), {"volunteer"})


def test_only_staff_of_the_program_read_the_staff_log(personas):
    match = _match(personas)
    url = reverse("match_activity", args=[match.pk])
    assert_personas(personas, url, STAFF)
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS)


def test_members_do_not_see_the_log_of_a_match_that_did_not_go_ahead(personas):
    match = _match(personas, MatchStatus.DECLINED)
    for name in ("activity_list", "activity_new"):
        response = personas.client_for("volunteer").get(reverse(name, args=[match.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize(
    "status", [MatchStatus.PROPOSED, MatchStatus.INTRODUCTION_SCHEDULED, MatchStatus.CLOSED]
)
def test_the_form_says_when_logging_is_not_possible_yet_or_any_more(personas, status):
    match = _match(personas, status)
    client = personas.client_for("volunteer")
    response = client.get(reverse("activity_new", args=[match.pk]), follow=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("my_match", args=[match.pk])
    response = client.post(
        reverse("activity_new", args=[match.pk]), _form(match, personas.volunteer)
    )
    assert response.status_code == 302
    assert not Activity.objects.exists()


# -- the phone form ---------------------------------------------------------------------------


def test_the_form_starts_filled_in(personas):
    match = _match(personas)
    client = personas.client_for("volunteer")
    form = client.get(reverse("activity_new", args=[match.pk])).context["form"]
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["mode"] == ActivityMode.VIDEO
    assert form.initial["duration_minutes"] == 60
    assert form.initial["participants"] == [personas.volunteer.pk]
    assert form.fields["participants"].queryset.first() == personas.volunteer  # listed first
    # After a phone call, the next form starts on the phone.
    _log(match, personas.volunteer, mode=ActivityMode.PHONE)
    page = client.get(reverse("activity_new", args=[match.pk]))
    assert page.context["form"].initial["mode"] == ActivityMode.PHONE
    html = page.content.decode()
    assert 'type="date"' in html
    assert 'inputmode="numeric"' in html
    assert f'max="{timezone.localdate().isoformat()}"' in html
    # Checkbox groups are fieldsets with a legend; every input has a label.
    assert "<legend>Who took part?</legend>" in html
    assert "<legend>How were you in touch?</legend>" in html
    assert 'name="viewport"' in html


def test_the_household_priorities_come_first(personas):
    match = _match(personas)
    household = match.household
    household.priorities = ["employment", "housing"]
    household.save(update_fields=["priorities"])
    form = (
        personas.client_for("volunteer")
        .get(reverse("activity_new", args=[match.pk]))
        .context["form"]
    )
    codes = [code for code, _label in form.fields["priorities"].choices]
    assert codes[:2] == ["employment", "housing"]


def test_it_saves_and_returns_to_the_match_with_a_message(personas):
    match = _match(personas)
    lead = lead_of(match.group)
    client = personas.client_for("volunteer")
    response = client.post(
        reverse("activity_new", args=[match.pk]),
        _form(
            match,
            personas.volunteer,
            mode="in_person",
            duration_minutes="90",
            participants=[str(personas.volunteer.pk), str(lead.pk)],
            priorities=["housing", "socializing"],
            note="Visited the library.",
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("my_match", args=[match.pk])
    assert "Activity saved. Thank you." in response.content.decode()
    activity = Activity.objects.get()
    assert (activity.mode, activity.duration_minutes) == ("in_person", 90)
    assert set(activity.participants.all()) == {personas.volunteer, lead}
    assert activity.priorities == ["housing", "socializing"]
    assert AuditEntry.objects.for_record(match).filter(code="match.activity_logged").exists()


def test_errors_are_listed_linked_and_nothing_typed_is_lost(personas):
    match = _match(personas)
    note = "We met at the café and talked about schools."
    response = personas.client_for("volunteer").post(
        reverse("activity_new", args=[match.pk]),
        _form(
            match,
            personas.volunteer,
            date=(timezone.localdate() + timedelta(days=2)).isoformat(),
            duration_minutes="900",
            note=note,
            concern="on",
            concern_text="",
            priorities=["employment"],
        ),
    )
    assert response.status_code == 400
    assert not Activity.objects.exists()
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "Say what worries you." in html
    assert 'href="#id_concern_text"' in html
    assert 'aria-describedby="id_concern_text_helptext id_concern_text_error"' in html
    assert "Ensure this value is less than or equal to 720." in html
    assert 'href="#id_duration_minutes"' in html
    # What was typed is still there.
    assert note in html
    assert 'value="900"' in html
    assert re.search(r'value="employment" id="id_priorities_\d+" checked', html)
    assert re.search(r'name="concern" id="id_concern" checked', html)


def test_a_future_date_is_refused_by_the_service_and_shown_beside_the_date(personas):
    match = _match(personas)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = personas.client_for("volunteer").post(
        reverse("activity_new", args=[match.pk]), _form(match, personas.volunteer, date=tomorrow)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The date cannot be in the future." in html
    assert 'href="#id_date"' in html
    assert f'value="{tomorrow}"' in html


def test_errors_come_in_the_persons_language(personas):
    match = _match(personas)
    personas.volunteer.language = "fr"
    personas.volunteer.save(update_fields=["language"])
    response = personas.client_for("volunteer").post(
        reverse("activity_new", args=[match.pk]),
        _form(match, personas.volunteer, date="not a date"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "Saisissez une date valide." in response.content.decode()


def test_a_concern_is_shown_to_staff_and_not_to_other_members(personas):
    match = _match(personas)
    response = personas.client_for("volunteer").post(
        reverse("activity_new", args=[match.pk]),
        _form(match, personas.volunteer, concern="on", concern_text="The children seem hungry."),
        follow=True,
    )
    assert "Your concern has been passed to the staff." in response.content.decode()
    staff_page = personas.client_for("coordinator").get(reverse("match_activity", args=[match.pk]))
    assert "The children seem hungry." in staff_page.content.decode()
    assert "Concern:" in staff_page.content.decode()
    own = personas.client_for("volunteer").get(reverse("activity_list", args=[match.pk]))
    assert "Concern passed to staff" in own.content.decode()
    assert "hungry" not in own.content.decode()
    lead = personas.client_for("anonymous")
    lead.force_login(lead_of(match.group))
    other = lead.get(reverse("activity_list", args=[match.pk])).content.decode()
    assert "hungry" not in other
    assert "Concern passed to staff" not in other


# -- the log ----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("name", "who"), [("activity_list", "volunteer"), ("match_activity", "coordinator")]
)
def test_the_log_takes_the_same_queries_whatever_its_length(personas, name, who):
    match = _match(personas)
    lead = lead_of(match.group)
    client = personas.client_for(who)
    url = reverse(name, args=[match.pk])
    _log(match, personas.volunteer)
    client.get(url)  # warm caches (content types, program settings)
    few = _queries(client, url)
    for k in range(12):
        _log(
            match,
            lead if k % 2 else personas.volunteer,
            participants=[lead, personas.volunteer],
            concern=k % 3 == 0,
            concern_text="Worried" if k % 3 == 0 else "",
        )
    assert _queries(client, url) == few


def test_the_log_shows_the_hours_and_the_activities(personas):
    match = _match(personas)
    lead = lead_of(match.group)
    _log(match, personas.volunteer, participants=[personas.volunteer, lead], duration_minutes=90)
    _log(match, lead, participants=[lead], duration_minutes=30)
    response = personas.client_for("coordinator").get(reverse("match_activity", args=[match.pk]))
    html = response.content.decode()
    assert "The group: 2.0 hours over 2 activities." in html
    people = {p.user_id: p.minutes for p in response.context["hours"].people}
    assert people[lead.pk] == 120
    assert people[personas.volunteer.pk] == 90
    assert "Practised English at the library." in html
    assert (
        AuditEntry.objects.for_record(match)
        .filter(code="record.viewed", actor=personas.coordinator)
        .exists()
    )


# -- the panels on the match pages ------------------------------------------------------------


def test_the_members_page_offers_to_log_and_shows_hours_and_recent_activities(personas):
    match = _match(personas)
    _log(match, personas.volunteer, duration_minutes=120)
    html = personas.client_for("volunteer").get(reverse("my_match", args=[match.pk])).content
    html = html.decode()
    assert reverse("activity_new", args=[match.pk]) in html
    assert "The group: 2.0 hours over 1 activity." in html
    assert "Practised English at the library." in html
    assert reverse("activity_list", args=[match.pk]) in html
    assert reverse("my_match_plan", args=[match.pk]) in html


def test_the_staff_page_shows_the_log_and_the_plan(personas):
    match = _match(personas)
    _log(match, personas.volunteer, concern=True, concern_text="Eviction notice")
    html = personas.client_for("coordinator").get(reverse("match_detail", args=[match.pk]))
    html = html.content.decode()
    assert reverse("match_activity", args=[match.pk]) in html
    assert "Eviction notice" in html
    assert reverse("match_plan", args=[match.pk]) in html
    assert reverse("activity_new", args=[match.pk]) not in html


def test_no_activity_panel_before_the_match_started(personas):
    match = _match(personas, MatchStatus.ACCEPTED)
    html = personas.client_for("volunteer").get(reverse("my_match", args=[match.pk]))
    html = html.content.decode()
    assert reverse("activity_new", args=[match.pk]) not in html
    # The plan is written from acceptance.
    assert reverse("my_match_plan", args=[match.pk]) in html
