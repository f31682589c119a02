"""Closing a match: the feedback from both sides (who, when, once per side, 1 to 5, audited),
the closing pages for staff and members, the panels, and the certificate of hours."""

import importlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import include, path, reverse
from django.utils import timezone

from accueil.conftest import STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.matches import (
    panels,
    services,
    services_activity,
)
from accueil.matches import services_closing as closing
from accueil.matches.models import (
    ActivityMode,
    ClosingFeedback,
    FeedbackSide,
    MatchStatus,
    Outcome,
)
from accueil.matches.signals import match_closed
from accueil.matches.views.closing import certificate_html
from accueil.volunteers.models import GroupMembership, WelcomeGroup

from .factories import in_state, lead_of

# The closing URLs with the project's, whether or not accueil/matches/urls.py includes them yet.
urlpatterns = [
    path("", include("accueil.matches.urls_closing")),
    path("", include("accueil.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

# The closing panels, for this module's tests only until accueil/matches/apps.py imports
# panels_closing (then they are registered already and this adds nothing): other modules' pages
# must not meet links to URLs their URLconf lacks.
_before = list(panels.PANELS)
importlib.import_module("accueil.matches.panels_closing")
_CLOSING_PANELS = [panel for panel in panels.PANELS if panel not in _before]
for _panel in _CLOSING_PANELS:
    panels.PANELS.remove(_panel)


@pytest.fixture(autouse=True)
def closing_panels(monkeypatch):
    monkeypatch.setattr(panels, "PANELS", panels.PANELS + _CLOSING_PANELS)


def _match(personas, status=MatchStatus.CLOSING):
    """A match with the ``volunteer`` persona in its group and the ``outsider`` persona (also a
    volunteer) in another group of the same program."""
    match = in_state(status, personas.coordinator)
    GroupMembership.objects.create(group=match.group, user=personas.volunteer)
    other = WelcomeGroup.objects.filter(program=match.program).exclude(pk=match.group_id).first()
    GroupMembership.objects.create(group=other, user=personas.outsider)
    return match


def _record(match, by, side=FeedbackSide.VOLUNTEERS, **fields):
    values = {"rating": 4, "what_went_well": "Weekly English practice."}
    values.update(fields)
    return closing.closing_feedback_record(match=match, by=by, side=side, **values)


def _form(side, **changes):
    data = {
        "side": side,
        f"{side}-rating": "5",
        f"{side}-what_went_well": "The children settled in school.",
        f"{side}-what_could_improve": "More evening visits.",
    }
    data.update(changes)
    return data


def _log(match, by, minutes, participants):
    return services_activity.activity_log(
        match=match,
        by=by,
        date=timezone.localdate(),
        mode=ActivityMode.PHONE,
        duration_minutes=minutes,
        participants=participants,
        note="",
    )


def _closed_with_hours(personas):
    """A completed match where the volunteer took part in 90 + 45 minutes and the lead alone in
    another 120."""
    match = _match(personas, MatchStatus.ACTIVE)
    lead = lead_of(match.group)
    _log(match, personas.volunteer, 90, [personas.volunteer, lead])
    _log(match, personas.volunteer, 45, [personas.volunteer])
    _log(match, lead, 120, [lead])
    services.match_begin_closing(match=match, by=personas.coordinator)
    services.match_close(match=match, by=personas.coordinator, outcome=Outcome.COMPLETED)
    return match


# -- who reaches what -------------------------------------------------------------------------


def test_only_staff_of_the_program_reach_the_staff_closing_page(personas):
    match = _match(personas)
    assert_personas(personas, reverse("match_closing", args=[match.pk]), STAFF)


def test_only_staff_can_post_on_the_staff_closing_page(personas):
    match = _match(personas)
    url = reverse("match_closing", args=[match.pk])
    data = _form(FeedbackSide.HOUSEHOLD)
    assert_personas(personas, url, STAFF, method="post", data=data, ok=(302,))
    # The first staff post recorded it; the others were told it is already there.
    assert ClosingFeedback.objects.get().recorded_by == personas.admin


def test_only_members_of_the_group_reach_the_members_closing_page(personas):
    match = _match(personas)
    assert_personas(personas, reverse("my_match_closing", args=[match.pk]), {"volunteer"})
    response = personas.client_for("volunteer").get(reverse("my_match_closing", args=[match.pk]))
    assert response.context["forms"] == []  # not the lead: reads only


def test_nobody_but_the_lead_posts_on_the_members_closing_page(personas):
    match = _match(personas)
    url = reverse("my_match_closing", args=[match.pk])
    data = _form(FeedbackSide.VOLUNTEERS)
    assert_personas(personas, url, set(), method="post", data=data)
    assert not ClosingFeedback.objects.exists()


def test_only_members_of_the_group_get_the_certificate(personas):
    match = _match(personas, MatchStatus.CLOSED)
    url = reverse("match_certificate", args=[match.pk])
    # Staff, interpreters outside the group and a volunteer of another group: 404.
    assert_personas(personas, url, {"volunteer"})


def test_the_certificate_waits_for_the_match_to_close(personas):
    match = _match(personas, MatchStatus.CLOSING)
    response = personas.client_for("volunteer").get(reverse("match_certificate", args=[match.pk]))
    assert response.status_code == 404


def test_a_former_member_no_longer_reaches_the_closing_pages(personas):
    match = _match(personas, MatchStatus.CLOSED)
    GroupMembership.objects.filter(user=personas.volunteer).update(left_at=timezone.now())
    client = personas.client_for("volunteer")
    assert client.get(reverse("my_match_closing", args=[match.pk])).status_code == 404
    assert client.get(reverse("match_certificate", args=[match.pk])).status_code == 404


@pytest.mark.parametrize("status", [MatchStatus.ACTIVE, MatchStatus.PAUSED])
def test_the_closing_pages_wait_for_closing(personas, status):
    match = _match(personas, status)
    staff = personas.client_for("coordinator").get(reverse("match_closing", args=[match.pk]))
    assert staff.status_code == 302
    assert staff["Location"] == reverse("match_detail", args=[match.pk])
    member = personas.client_for("volunteer").get(reverse("my_match_closing", args=[match.pk]))
    assert member.status_code == 302
    assert member["Location"] == reverse("my_match", args=[match.pk])


@pytest.mark.parametrize("status", [MatchStatus.DECLINED, MatchStatus.CANCELLED])
def test_members_never_see_closing_pages_of_matches_that_did_not_go_ahead(personas, status):
    match = _match(personas, status)
    client = personas.client_for("volunteer")
    assert client.get(reverse("my_match_closing", args=[match.pk])).status_code == 404
    assert client.get(reverse("match_certificate", args=[match.pk])).status_code == 404


# -- the feedback rules -----------------------------------------------------------------------


def test_staff_record_both_sides(personas):
    match = _match(personas)
    volunteers = _record(match, personas.coordinator, FeedbackSide.VOLUNTEERS)
    household = _record(
        match, personas.coordinator, FeedbackSide.HOUSEHOLD, rating=5, through_interpreter=True
    )
    assert volunteers.recorded_by == personas.coordinator
    assert household.through_interpreter is True
    assert set(closing.feedback_by_side(match)) == {"volunteers", "household"}


def test_the_lead_records_the_volunteers_side_only(personas):
    match = _match(personas)
    lead = lead_of(match.group)
    feedback = _record(match, lead, FeedbackSide.VOLUNTEERS)
    assert feedback.recorded_by == lead
    with pytest.raises(PermissionDenied):
        _record(match, lead, FeedbackSide.HOUSEHOLD)


@pytest.mark.parametrize("who", ["volunteer", "outsider", "interpreter", "partner_a"])
def test_others_record_nothing(personas, who):
    match = _match(personas)
    for side in FeedbackSide.values:
        with pytest.raises(PermissionDenied):
            _record(match, getattr(personas, who), side)
    assert not ClosingFeedback.objects.exists()


def test_a_coordinator_of_another_program_records_nothing(personas):
    from accueil.factories import ProgramFactory

    match = _match(personas)
    personas.coordinator.programs.set([ProgramFactory()])
    with pytest.raises(PermissionDenied):
        _record(match, personas.coordinator, FeedbackSide.HOUSEHOLD)


def test_an_unknown_side_is_refused(personas):
    match = _match(personas)
    with pytest.raises(PermissionDenied):
        _record(match, personas.coordinator, "neighbours")


@pytest.mark.parametrize(
    "status",
    [
        MatchStatus.ACCEPTED,
        MatchStatus.INTRODUCTION_SCHEDULED,
        MatchStatus.ACTIVE,
        MatchStatus.PAUSED,
        MatchStatus.DECLINED,
    ],
)
def test_feedback_waits_for_closing(personas, status):
    match = _match(personas, status)
    with pytest.raises(ValidationError):
        _record(match, personas.coordinator)
    assert not ClosingFeedback.objects.exists()


def test_feedback_can_be_recorded_for_thirty_days_after_closing(personas):
    match = _match(personas, MatchStatus.CLOSED)
    _record(match, personas.coordinator, FeedbackSide.VOLUNTEERS)
    match.closed_at = timezone.now() - timedelta(days=closing.FEEDBACK_DAYS, minutes=1)
    match.save(update_fields=["closed_at"])
    with pytest.raises(ValidationError):
        _record(match, personas.coordinator, FeedbackSide.HOUSEHOLD)


def test_a_match_that_ended_early_can_have_feedback(personas):
    match = _match(personas, MatchStatus.ACTIVE)
    services.match_close(
        match=match, by=personas.coordinator, outcome=Outcome.ENDED_EARLY, reason="Moved away"
    )
    assert _record(match, personas.coordinator, FeedbackSide.HOUSEHOLD).rating == 4


def test_one_feedback_per_side(personas):
    match = _match(personas)
    _record(match, lead_of(match.group), FeedbackSide.VOLUNTEERS)
    with pytest.raises(ValidationError):
        _record(match, personas.coordinator, FeedbackSide.VOLUNTEERS)
    assert ClosingFeedback.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, None, "five"])
def test_the_rating_is_from_one_to_five(personas, rating):
    match = _match(personas)
    with pytest.raises(ValidationError) as error:
        _record(match, personas.coordinator, rating=rating)
    assert "rating" in error.value.message_dict
    assert not ClosingFeedback.objects.exists()


@pytest.mark.parametrize("rating", [1, 5])
def test_the_rating_bounds_are_accepted(personas, rating):
    match = _match(personas)
    assert _record(match, personas.coordinator, rating=rating).rating == rating


def test_only_the_household_side_is_through_an_interpreter(personas):
    match = _match(personas)
    feedback = _record(match, personas.coordinator, through_interpreter=True)
    assert feedback.through_interpreter is False


def test_recording_is_audited_without_the_text(personas):
    match = _match(personas)
    feedback = _record(
        match,
        personas.coordinator,
        FeedbackSide.HOUSEHOLD,
        what_went_well="Amina found work",
        what_could_improve="Fewer visits in Ramadan",
    )
    entry = AuditEntry.objects.get(code="match.closing_feedback")
    assert entry.actor == personas.coordinator
    assert entry.object_id == match.pk
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.additional_data == {"side": "household", "feedback": feedback.pk}
    assert "Amina" not in str(entry.additional_data)


def test_a_refused_recording_is_not_audited(personas):
    match = _match(personas, MatchStatus.ACTIVE)
    with pytest.raises(ValidationError):
        _record(match, personas.coordinator)
    assert not AuditEntry.objects.filter(code="match.closing_feedback").exists()


def test_the_text_is_encrypted_at_rest(personas):
    from django.db import connection

    match = _match(personas)
    _record(match, personas.coordinator, what_went_well="Weekly English practice.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT what_went_well FROM matches_closingfeedback")
        (stored,) = cursor.fetchone()
    assert "English" not in stored


# -- the pages --------------------------------------------------------------------------------


def test_staff_record_the_household_side_from_the_page(personas):
    match = _match(personas)
    client = personas.client_for("coordinator")
    url = reverse("match_closing", args=[match.pk])
    response = client.post(url, _form("household", **{"household-through_interpreter": "on"}))
    assert response.status_code == 302
    feedback = ClosingFeedback.objects.get()
    assert (feedback.side, feedback.rating, feedback.through_interpreter) == ("household", 5, True)
    page = client.get(url)
    assert [form.side for form in page.context["forms"]] == ["volunteers"]
    assert "The children settled in school." in page.content.decode()
    # Reading the household's answers is audited.
    assert AuditEntry.objects.filter(code="record.viewed", object_id=match.pk).exists()


def test_the_staff_page_shows_errors(personas):
    match = _match(personas)
    response = personas.client_for("coordinator").post(
        reverse("match_closing", args=[match.pk]), _form("household", **{"household-rating": "6"})
    )
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert not ClosingFeedback.objects.exists()


def test_the_staff_page_reminds_of_the_closing_checkin(personas):
    match = _match(personas)
    checkin = match.checkins.get(kind="closing", cancelled_at__isnull=True)
    response = personas.client_for("coordinator").get(reverse("match_closing", args=[match.pk]))
    assert response.context["checkin"] == checkin
    assert reverse("checkin_detail", args=[match.pk, checkin.pk]) in response.content.decode()


def test_the_lead_records_the_groups_feedback_and_members_read_it_was_recorded(personas):
    match = _match(personas)
    lead = lead_of(match.group)
    url = reverse("my_match_closing", args=[match.pk])
    from django.test import Client

    client = Client()
    client.force_login(lead)
    page = client.get(url)
    assert [form.side for form in page.context["forms"]] == ["volunteers"]
    assert "through_interpreter" not in page.context["forms"][0].fields
    response = client.post(url, _form("volunteers"))
    assert response.status_code == 302
    feedback = ClosingFeedback.objects.get()
    assert (feedback.side, feedback.recorded_by) == ("volunteers", lead)
    # A member reads that it was recorded, not what was said.
    member = personas.client_for("volunteer").get(url)
    html = member.content.decode()
    assert len(member.context["recorded"]) == 1
    assert "The children settled in school." not in html


def test_members_never_see_the_households_feedback(personas):
    match = _match(personas)
    _record(match, personas.coordinator, FeedbackSide.HOUSEHOLD, what_went_well="Amina found work")
    lead = lead_of(match.group)
    from django.test import Client

    client = Client()
    client.force_login(lead)
    response = client.get(reverse("my_match_closing", args=[match.pk]))
    assert response.context["recorded"] == []
    assert "Amina found work" not in response.content.decode()


def test_the_panels(personas):
    match = _match(personas)
    staff = personas.client_for("coordinator").get(reverse("match_detail", args=[match.pk]))
    assert reverse("match_closing", args=[match.pk]) in staff.content.decode()
    member = personas.client_for("volunteer").get(reverse("my_match", args=[match.pk]))
    html = member.content.decode()
    assert reverse("my_match_closing", args=[match.pk]) in html
    assert reverse("match_certificate", args=[match.pk]) not in html
    services.match_close(match=match, by=personas.coordinator, outcome=Outcome.COMPLETED)
    member = personas.client_for("volunteer").get(reverse("my_match", args=[match.pk]))
    assert reverse("match_certificate", args=[match.pk]) in member.content.decode()


def test_no_closing_panel_before_closing(personas):
    match = _match(personas, MatchStatus.ACTIVE)
    staff = personas.client_for("coordinator").get(reverse("match_detail", args=[match.pk]))
    assert reverse("match_closing", args=[match.pk]) not in staff.content.decode()


# -- the certificate --------------------------------------------------------------------------


def test_hours_are_the_activity_logs_sum_for_the_volunteer(personas):
    match = _closed_with_hours(personas)
    hours = closing.volunteer_hours(match, personas.volunteer)
    assert (hours.minutes, hours.activities, hours.hours) == (135, 2, 2.2)
    person = next(
        p for p in services_activity.match_hours(match).people if p.user_id == personas.volunteer.pk
    )
    assert hours.minutes == person.minutes
    assert closing.volunteer_hours(match, lead_of(match.group)).minutes == 210
    assert closing.volunteer_hours(match, personas.outsider).minutes == 0


def test_the_certificate_is_a_pdf_download(personas):
    match = _closed_with_hours(personas)
    response = personas.client_for("volunteer").get(reverse("match_certificate", args=[match.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 2000


def test_the_certificate_fits_on_one_page(personas):
    from weasyprint import HTML

    from accueil.volunteers.pdf import BASE_URL, static_only_fetcher

    match = _closed_with_hours(personas)
    html = certificate_html(match, personas.volunteer)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher()).render()
    assert len(document.pages) == 1
    text = "".join(
        box.text
        for page in document.pages
        for box in _descendants(page._page_box)
        if hasattr(box, "text")
    )
    assert "Val Volunteer" in text


def _descendants(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _descendants(child)


def test_the_certificate_says_who_what_and_how_long_never_the_family(personas):
    match = _closed_with_hours(personas)
    html = certificate_html(match, personas.volunteer)
    assert "Val Volunteer" in html
    assert match.group.name in html
    assert match.program.name in html
    assert "2.2" in html
    household = match.household
    assert household.head_name and household.head_name not in html
    for member in household.members.all() if hasattr(household, "members") else []:
        assert member.first_name not in html


def test_the_certificate_is_in_the_volunteers_language(personas):
    personas.volunteer.language = "fr"
    personas.volunteer.save()
    match = _closed_with_hours(personas)
    html = certificate_html(match, personas.volunteer)
    assert '<html lang="fr"' in html


def test_a_match_that_ended_early_still_gives_hours(personas):
    match = _match(personas, MatchStatus.ACTIVE)
    _log(match, personas.volunteer, 60, [personas.volunteer])
    services.match_close(
        match=match, by=personas.coordinator, outcome=Outcome.ENDED_EARLY, reason="Moved away"
    )
    response = personas.client_for("volunteer").get(reverse("match_certificate", args=[match.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "1.0" in certificate_html(match, personas.volunteer)


def test_no_certificate_for_a_match_that_never_started(personas):
    match = _match(personas, MatchStatus.ACCEPTED)
    services.match_close(
        match=match, by=personas.coordinator, outcome=Outcome.ENDED_EARLY, reason="Moved away"
    )
    response = personas.client_for("volunteer").get(reverse("match_certificate", args=[match.pk]))
    assert response.status_code == 404


def test_it_says_so_when_pdfs_cannot_be_made(personas, monkeypatch):
    import sys

    match = _match(personas, MatchStatus.CLOSED)
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    response = personas.client_for("volunteer").get(reverse("match_certificate", args=[match.pk]))
    assert response.status_code == 503
    assert "Certificate not available" in response.content.decode()


def test_the_match_closed_signal_exists_for_the_surveys():
    assert "post-surveys" in match_closed.__doc__
