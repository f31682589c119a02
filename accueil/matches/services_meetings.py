"""Meetings of a match: booking, moving and cancelling them, the invitations, and the family's
text messages.

Everyone invited (the group's current members, the interpreter, the coordinator) gets an email
in their own language with an iCalendar ``.ics`` attached: METHOD:REQUEST when booked or
changed, METHOD:CANCEL when cancelled, with one UID per meeting and a SEQUENCE that grows with
every change, so calendars update the entry instead of adding a second one. The invitation
never names the household: it says "the family" and the group's name.

The family gets a text message in its language when the meeting is booked, moved or cancelled,
and a reminder the day before (``send_meeting_reminders``, a periodic sweep). No text message
leaves between 21:00 and 08:00 in the meeting's time zone: it waits in the outbox until 8.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, vCalAddress, vText

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.messaging.models import Attachment
from accueil.messaging.services import outbox_enqueue_sms, outbox_enqueue_template_email

from . import services
from .models import Match, MatchStatus, Meeting, MeetingKind, MeetingMode
from .models.meetings import new_video_url, validate_time_zone

audit.register(
    {
        "meeting.scheduled": gettext_lazy("{actor} booked a meeting for {target}"),
        "meeting.changed": gettext_lazy("{actor} changed a meeting of {target}"),
        "meeting.cancelled": gettext_lazy("{actor} cancelled a meeting of {target}"),
    }
)

# Later meetings can be booked once the introduction is booked, until the match is closed.
FOLLOW_UP_STATUSES = {
    MatchStatus.INTRODUCTION_SCHEDULED,
    MatchStatus.ACTIVE,
    MatchStatus.PAUSED,
    MatchStatus.CLOSING,
}
MIN_MINUTES, MAX_MINUTES = 15, 8 * 60
# Text messages wait for daytime where the family lives.
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)
REMINDER_BEFORE = timedelta(hours=24)
PRODID = "-//Accueil//Welcome Group meetings//EN"


# -- what can be booked ---------------------------------------------------------------------


def open_introduction(match: Match) -> Meeting | None:
    return match.meetings.current().filter(kind=MeetingKind.INTRODUCTION).first()


def kind_to_book(match: Match) -> str | None:
    """What booking a meeting means for this match now: the introduction (accepted, or its
    introduction was cancelled), a later meeting, or nothing (None)."""
    if match.status == MatchStatus.ACCEPTED:
        return MeetingKind.INTRODUCTION
    if match.status == MatchStatus.INTRODUCTION_SCHEDULED and open_introduction(match) is None:
        return MeetingKind.INTRODUCTION
    if match.status in FOLLOW_UP_STATUSES:
        return MeetingKind.FOLLOW_UP
    return None


def _require_staff(by, match: Match) -> None:
    if not services.is_staff_of(by, match):
        raise PermissionDenied


def _checked(
    *,
    starts_at: datetime,
    time_zone: str,
    duration_minutes: int,
    mode: str,
    interpreter,
    place: str,
) -> datetime:
    """Refuse what cannot be booked; return the start as an aware datetime in its zone."""
    from accueil.accounts.models import Role

    errors = {}
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors["time_zone"] = exc.messages
    else:
        zone = ZoneInfo(time_zone)
        starts_at = (
            starts_at.replace(tzinfo=zone)
            if timezone.is_naive(starts_at)
            else starts_at.astimezone(zone)
        )
        if starts_at <= timezone.now():
            errors["starts_at"] = _("Choose a date and time that has not passed.")
    if not (MIN_MINUTES <= (duration_minutes or 0) <= MAX_MINUTES):
        errors["duration_minutes"] = _("Enter a length between %(min)s and %(max)s minutes.") % {
            "min": MIN_MINUTES,
            "max": MAX_MINUTES,
        }
    if mode not in MeetingMode.values:
        errors["mode"] = _("Choose how the meeting takes place.")
    if mode == MeetingMode.IN_PERSON and not (place or "").strip():
        errors["place"] = _("Enter where the meeting takes place.")
    if interpreter is not None and (
        interpreter.role != Role.INTERPRETER or not interpreter.is_active
    ):
        errors["interpreter"] = _("Choose one of the interpreters in the list.")
    if errors:
        raise ValidationError(errors)
    return starts_at


def _apply(meeting: Meeting, *, mode: str, place: str, instructions: str) -> None:
    meeting.mode = mode
    # The link stays the same through changes (people may have saved it); a meeting that is
    # no longer a video call drops it, and gets a new room if it becomes one again.
    if mode == MeetingMode.VIDEO:
        meeting.video_url = meeting.video_url or new_video_url()
    else:
        meeting.video_url = ""
    meeting.place = (place or "").strip() if mode == MeetingMode.IN_PERSON else ""
    meeting.instructions = (instructions or "").strip()


# -- the services ---------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    match: Match,
    by,
    starts_at: datetime,
    time_zone: str,
    duration_minutes: int,
    mode: str,
    interpreter=None,
    place: str = "",
    instructions: str = "",
) -> Meeting:
    """Book the introduction (the match becomes "introduction scheduled") or, once it is
    booked, a later meeting. Invitations and the family's text message are queued."""
    _require_staff(by, match)
    locked = Match.objects.select_for_update().get(pk=match.pk)
    kind = kind_to_book(locked)
    if kind is None:
        raise ValidationError(
            _("Meetings can be booked once both sides have accepted the match, until it closes.")
        )
    starts_at = _checked(
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        mode=mode,
        interpreter=interpreter,
        place=place,
    )
    meeting = Meeting(
        match=locked,
        kind=kind,
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        interpreter=interpreter,
        created_by=by,
    )
    _apply(meeting, mode=mode, place=place, instructions=instructions)
    _reminder_not_needed_if_close(meeting)
    meeting.save()
    if kind == MeetingKind.INTRODUCTION and locked.status == MatchStatus.ACCEPTED:
        services.match_mark_introduction_scheduled(match=match, by=by)
    audit.record(
        "meeting.scheduled",
        actor=by,
        target=locked,
        data={"meeting": meeting.pk, "kind": kind, "mode": mode},
        action=AuditEntry.Action.CREATE,
    )
    _invite(meeting)
    _text_family(meeting, "booked")
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
    for field in Meeting._meta.concrete_fields:
        setattr(meeting, field.attname, getattr(fresh, field.attname))
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by,
    starts_at: datetime,
    time_zone: str,
    duration_minutes: int,
    mode: str,
    interpreter=None,
    place: str = "",
    instructions: str = "",
) -> Meeting:
    """Change a meeting: everyone gets the invitation again with the next SEQUENCE (an
    interpreter taken off it gets a cancellation); the family gets a text message when the
    time, the way of meeting or the place changed."""
    _require_staff(by, meeting.match)
    _lock_meeting(meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting was cancelled. Book a new one."))
    if not meeting.match.is_open:
        raise ValidationError(_("This match is closed."))
    starts_at = _checked(
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        mode=mode,
        interpreter=interpreter,
        place=place,
    )
    before = (meeting.starts_at, meeting.mode, meeting.place, meeting.video_url)
    previous_interpreter = meeting.interpreter
    meeting.starts_at = starts_at
    meeting.time_zone = time_zone
    meeting.duration_minutes = duration_minutes
    meeting.interpreter = interpreter
    _apply(meeting, mode=mode, place=place, instructions=instructions)
    for_family = before != (meeting.starts_at, meeting.mode, meeting.place, meeting.video_url)
    if for_family:
        _reminder_not_needed_if_close(meeting)
    meeting.sequence += 1
    meeting.save()
    audit.record(
        "meeting.changed",
        actor=by,
        target=meeting.match,
        data={"meeting": meeting.pk, "sequence": meeting.sequence},
    )
    _invite(meeting)
    if previous_interpreter is not None and previous_interpreter != interpreter:
        _send_invitation(meeting, previous_interpreter, cancelled=True)
    if for_family:
        _text_family(meeting, "changed")
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by, reason: str = "") -> Meeting:
    """Cancel a meeting that has not taken place: everyone gets METHOD:CANCEL, the family a
    text message. A cancelled introduction leaves the match "introduction scheduled" until a
    new one is booked."""
    _require_staff(by, meeting.match)
    _lock_meeting(meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is already cancelled."))
    if meeting.ends_at <= timezone.now():
        raise ValidationError(_("This meeting has already taken place."))
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = (reason or "").strip()
    meeting.sequence += 1
    meeting.save()
    audit.record(
        "meeting.cancelled",
        actor=by,
        target=meeting.match,
        data={"meeting": meeting.pk, "sequence": meeting.sequence},
    )
    _invite(meeting)
    _text_family(meeting, "cancelled")
    return meeting


# -- invitations ----------------------------------------------------------------------------


def invitees(meeting: Meeting) -> list:
    """Who is invited: the group's current members, the interpreter and the coordinator (the
    person who booked it when the match has none). Each once, active accounts only."""
    from accueil.accounts.models import User

    match = meeting.match
    members = list(
        User.objects.filter(
            group_memberships__group_id=match.group_id,
            group_memberships__left_at__isnull=True,
            is_active=True,
        ).order_by("group_memberships__joined_at", "pk")
    )
    people = [*members, meeting.interpreter, match.coordinator or meeting.created_by]
    seen, out = set(), []
    for person in people:
        if person is None or person.pk in seen or not person.is_active or not person.email:
            continue
        seen.add(person.pk)
        out.append(person)
    return out


def _invite(meeting: Meeting) -> None:
    for person in invitees(meeting):
        _send_invitation(meeting, person, cancelled=meeting.is_cancelled)


def when_text(meeting: Meeting, language: str, *, zone: bool = True) -> str:
    """The local date and time written out, with the time zone: "Thursday 3 December 2026,
    18:00 (America/Toronto)". The family's text messages leave the zone out."""
    with translation.override(language):
        local = meeting.local_start
        text = f"{formats.date_format(local, 'l j F Y')}, {formats.time_format(local)}"
        return f"{text} ({meeting.time_zone})" if zone else text


def _title(meeting: Meeting) -> str:
    group = meeting.match.group.name
    if meeting.kind == MeetingKind.INTRODUCTION:
        return _("First meeting: %(group)s and the family") % {"group": group}
    return _("Meeting: %(group)s and the family") % {"group": group}


def _how(meeting: Meeting) -> str:
    """What people need to join, for the invitation's DESCRIPTION and the email."""
    if meeting.mode == MeetingMode.VIDEO:
        text = _("Video call. Join with this link: %(url)s") % {"url": meeting.video_url}
    elif meeting.mode == MeetingMode.PHONE:
        text = _("Phone call. The coordinator will tell you how to join.")
    else:
        text = _("In person, at: %(place)s") % {"place": meeting.place}
    if meeting.instructions:
        text += "\n" + meeting.instructions
    return text


def _location(meeting: Meeting) -> str:
    if meeting.mode == MeetingMode.VIDEO:
        return meeting.video_url
    if meeting.mode == MeetingMode.PHONE:
        return _("Phone call")
    return meeting.place


def _address(value: str) -> vCalAddress:
    name, email = parseaddr(value)
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def meeting_ics(meeting: Meeting, *, attendee, language: str, cancelled: bool) -> bytes:
    """The iCalendar invitation for one person, in their language. Only that person is listed
    as attendee: volunteers and interpreters do not learn each other's addresses from it."""
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("method", "CANCEL" if cancelled else "REQUEST")
        event = Event()
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "accueil.invalid"
        event.add("uid", f"meeting-{meeting.uid}@{domain}")
        event.add("sequence", meeting.sequence)
        event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
        event.add("dtstart", meeting.local_start)
        event.add("dtend", meeting.ends_at.astimezone(meeting.zone))
        event.add("summary", _title(meeting))
        event.add("description", _how(meeting))
        event.add("location", _location(meeting))
        if meeting.mode == MeetingMode.VIDEO:
            event.add("url", meeting.video_url)
        event.add("organizer", _address(settings.DEFAULT_FROM_EMAIL))
        guest = vCalAddress(f"mailto:{attendee.email}")
        guest.params["CN"] = vText(attendee.display_name)
        guest.params["ROLE"] = vText("REQ-PARTICIPANT")
        guest.params["PARTSTAT"] = vText("NEEDS-ACTION")
        guest.params["RSVP"] = vText("TRUE")
        event.add("attendee", guest)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical()


def _send_invitation(meeting: Meeting, person, *, cancelled: bool) -> None:
    language = person.language or settings.LANGUAGE_CODE
    method = "CANCEL" if cancelled else "REQUEST"
    match = meeting.match
    coordinator = match.coordinator or meeting.created_by
    with translation.override(language):
        title = _title(meeting)
        how = _how(meeting)
        subject = (_("Cancelled: %(title)s") if cancelled else _("Invitation: %(title)s")) % {
            "title": title
        }
        if meeting.sequence and not cancelled:
            subject = _("Changed: %(title)s") % {"title": title}
    interpreter = meeting.interpreter
    outbox_enqueue_template_email(
        to=person.email,
        template_name="matches/meetings/email/" + ("cancelled" if cancelled else "invitation"),
        context={
            "name": person.display_name,
            "title": title,
            "group": match.group.name,
            "program": match.program.name,
            "when": when_text(meeting, language),
            "minutes": meeting.duration_minutes,
            "how": how,
            "changed": meeting.sequence > 0,
            "interpreter": interpreter.display_name if interpreter else "",
            "is_interpreter": interpreter is not None and interpreter.pk == person.pk,
            "coordinator": coordinator.display_name if coordinator else "",
            "coordinator_email": coordinator.email if coordinator else "",
            "reason": meeting.cancel_reason if cancelled else "",
        },
        subject=subject,
        language=language,
        template="matches.meeting_cancelled" if cancelled else "matches.meeting_invitation",
        recipient=person,
        idempotency_key=f"meeting-{meeting.pk}-{meeting.sequence}-{method.lower()}-{person.pk}",
        attachments=[
            Attachment(
                "invitation.ics",
                f"text/calendar; method={method}",
                meeting_ics(meeting, attendee=person, language=language, cancelled=cancelled),
            )
        ],
    )


# -- the family's text messages -------------------------------------------------------------


def family_language(household) -> str:
    """The household's first language when the site speaks it, else English."""
    site = {code for code, _name in settings.LANGUAGES}
    first = next(iter(household.languages or []), None)
    return first if first in site else "en"


def after_quiet_hours(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment``, or 08:00 local time when ``moment`` falls between 21:00 and 08:00."""
    local = moment.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return moment
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone)


def held_until_daytime(
    now: datetime | None = None, zone: ZoneInfo | None = None
) -> datetime | None:
    """When a message raised at ``now`` may leave: None (at once) in the daytime, else 08:00 in
    ``zone`` (the site's time zone unless given). For ``not_before=`` of the outbox."""
    now = now or timezone.now()
    allowed = after_quiet_hours(now, zone or ZoneInfo(settings.TIME_ZONE))
    return allowed if allowed > now else None


def _send_at(meeting: Meeting, now: datetime) -> datetime | None:
    """When a text message may go: now, or after quiet hours (None: send now). A message that
    quiet hours would hold until after the meeting starts goes at once."""
    allowed = after_quiet_hours(now, meeting.zone)
    if allowed <= now or allowed >= meeting.starts_at:
        return None
    return allowed


def _reminder_not_needed_if_close(meeting: Meeting) -> None:
    """A meeting booked (or moved) less than a day ahead gets no reminder: the text message
    about the booking is the reminder."""
    if meeting.starts_at - timezone.now() <= REMINDER_BEFORE:
        meeting.reminded_for = meeting.starts_at


def _text_family(meeting: Meeting, what: str, *, now: datetime | None = None) -> bool:
    household = meeting.match.household
    if not household.phone:
        return False
    now = now or timezone.now()
    language = family_language(household)
    with translation.override(language):
        body = render_to_string(
            f"matches/meetings/sms/{what}.txt",
            {
                "program": meeting.match.program.short_name or meeting.match.program.name,
                "group": meeting.match.group.name,
                "introduction": meeting.kind == MeetingKind.INTRODUCTION,
                "when": when_text(meeting, language, zone=False),
                "mode": meeting.mode,
                "video_url": meeting.video_url,
                "place": meeting.place,
            },
        ).strip()
    key = (
        f"meeting-{meeting.pk}-reminder-{meeting.starts_at:%Y%m%dT%H%M}"
        if what == "reminder"
        else f"meeting-{meeting.pk}-{meeting.sequence}-sms-{what}"
    )
    outbox_enqueue_sms(
        to=household.phone,
        body_text=body,
        language=language,
        template=f"matches.meeting_sms_{what}",
        idempotency_key=key,
        not_before=_send_at(meeting, now),
    )
    return True


def send_meeting_reminders(now: datetime | None = None) -> dict[str, int]:
    """Text the family the day before each meeting, once per start time (a moved meeting gets
    a new reminder). Idempotent: run it as often as you like."""
    now = now or timezone.now()
    counts = {"sent": 0, "skipped": 0}
    due = (
        Meeting.objects.current()
        .filter(starts_at__gt=now, starts_at__lte=now + REMINDER_BEFORE)
        .exclude(reminded_for=F("starts_at"))
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            meeting = (
                Meeting.objects.select_for_update(of=("self",))
                .filter(pk=pk, cancelled_at__isnull=True)
                .exclude(reminded_for=F("starts_at"))
                .select_related("match__household", "match__group", "match__program")
                .first()
            )
            if meeting is None:
                continue
            sent = meeting.match.is_open and _text_family(meeting, "reminder", now=now)
            Meeting.objects.filter(pk=pk).update(reminded_for=meeting.starts_at)
            counts["sent" if sent else "skipped"] += 1
    return counts
