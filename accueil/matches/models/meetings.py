"""Meetings of a match: the introduction (group, family, coordinator and usually an
interpreter) and any later meeting staff book the same way.

A meeting is stored as an aware instant (``starts_at``) plus the IANA time zone it was booked
in, so invitations carry the wall-clock time people agreed on (with its DST rules) and a
reminder can respect quiet hours where the family lives. ``uid`` and ``sequence`` are the
iCalendar identity: the UID never changes, every change or cancellation bumps the sequence so
calendars replace the earlier version.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField
from accueil.core.models import TimeStampedModel


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a time zone we know."), params={"value": value}
        ) from None


def default_time_zone() -> str:
    return settings.TIME_ZONE


def new_meeting_uid() -> str:
    return uuid.uuid4().hex


def new_video_url() -> str:
    """A room nobody can guess: 128 random bits in the name (Jitsi-style providers create the
    room on first visit, so the name is the only secret)."""
    base = settings.MEETING_VIDEO_BASE_URL.rstrip("/") + "/"
    return f"{base}accueil-{secrets.token_hex(16)}"


class MeetingKind(models.TextChoices):
    INTRODUCTION = "introduction", _("Introduction meeting")
    FOLLOW_UP = "follow_up", _("Meeting")


class MeetingMode(models.TextChoices):
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")


class MeetingQuerySet(models.QuerySet):
    def current(self):
        """Not cancelled."""
        return self.filter(cancelled_at__isnull=True)

    def upcoming(self, now: datetime):
        return self.current().filter(starts_at__gt=now - timedelta(hours=3))


class Meeting(TimeStampedModel):
    match = models.ForeignKey(
        "matches.Match", on_delete=models.CASCADE, related_name="meetings", verbose_name=_("match")
    )
    kind = models.CharField(
        _("kind of meeting"),
        max_length=16,
        choices=MeetingKind.choices,
        default=MeetingKind.INTRODUCTION,
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    mode = models.CharField(_("how"), max_length=16, choices=MeetingMode.choices)
    video_url = models.URLField(_("video link"), max_length=300, blank=True)
    # Where people meet, or how the phone call works: the address may be the family's home.
    place = EncryptedTextField(_("place"), blank=True)
    instructions = EncryptedTextField(_("instructions"), blank=True)
    interpreter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interpreted_meetings",
        limit_choices_to={"role": "interpreter"},
        verbose_name=_("interpreter"),
    )
    uid = models.CharField(max_length=64, unique=True, default=new_meeting_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    # The start time the family's reminder was sent (or made unnecessary) for: a moved meeting
    # gets a reminder of its own.
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def audit_label(self) -> str:
        return _("meeting #%(number)s") % {"number": self.pk}

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
