"""A concern raised in the evening or at night reaches the coordinator at 08:00, not at once;
a high-severity incident still alerts staff at once, whatever the hour."""

from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accueil.matches import services_activity, services_incidents
from accueil.matches.models import ActivityMode, IncidentCategory, IncidentSeverity, MatchStatus
from accueil.messaging.models import OutboxMessage

from .factories import in_state, lead_of

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def _today_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(timezone.localdate(), time(hour, minute), tzinfo=TORONTO)


def _concern_at(moment: datetime, personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    volunteer = lead_of(match.group)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        services_activity.activity_log(
            match=match,
            by=volunteer,
            date=moment.date(),
            mode=ActivityMode.PHONE,
            duration_minutes=30,
            participants=[volunteer],
            concern=True,
            concern_text="The family may lose their flat.",
        )
    return OutboxMessage.objects.get(template="matches.concern_raised")


def test_a_concern_raised_at_half_past_eleven_waits_until_eight(personas):
    moment = _today_at(23, 30)
    mail = _concern_at(moment, personas)
    tomorrow = moment.date() + timedelta(days=1)
    assert mail.next_attempt_at == datetime.combine(tomorrow, time(8, 0), tzinfo=TORONTO)


def test_a_concern_raised_in_the_small_hours_waits_until_eight_the_same_day(personas):
    moment = _today_at(5, 10)
    mail = _concern_at(moment, personas)
    assert mail.next_attempt_at == _today_at(8, 0)


def test_a_concern_raised_at_ten_goes_at_once(personas):
    before = timezone.now()
    mail = _concern_at(_today_at(10, 0), personas)
    # Not held: due from the moment it was queued.
    assert mail.next_attempt_at <= timezone.now()
    assert mail.next_attempt_at >= before - timedelta(seconds=1)


def test_a_high_severity_incident_alerts_staff_at_once_even_at_night(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    before = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=_today_at(23, 30)):
        services_incidents.incident_report(
            match=match,
            by=lead_of(match.group),
            category=IncidentCategory.values[0],
            severity=IncidentSeverity.HIGH,
            what_happened="Someone was hurt.",
        )
    alerts = OutboxMessage.objects.filter(template="matches.incident_high_severity")
    assert alerts.exists()
    for alert in alerts:
        assert alert.next_attempt_at <= timezone.now()
        assert alert.next_attempt_at >= before - timedelta(seconds=1)
