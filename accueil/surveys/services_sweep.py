"""The periodic sweep: expire links, remind, once each even with two schedulers running."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accueil.matches.services_checkins import in_quiet_hours

from .models import Administration, AdminStatus
from .services import administration_send, expire_due, reminders_due


def _remind(pk: int, now: datetime) -> bool:
    """Lock the row and check again that the reminder is due: a second sweep running at the
    same time finds the count already moved and sends nothing."""
    with transaction.atomic():
        locked = Administration.objects.select_for_update().filter(pk=pk).first()
        if locked is None or pk not in reminders_due(now, pks=[pk]):
            return False
        administration_send(locked, now=now)
    return True


def sweep(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    expired = expire_due(now)
    reminded = 0
    if not in_quiet_hours(now):
        for pk in reminders_due(now):
            reminded += _remind(pk, now)
    pending = Administration.objects.filter(status=AdminStatus.PENDING, sent_at__isnull=True)
    return {"expired": expired, "reminded": reminded, "not_sent": pending.count()}
