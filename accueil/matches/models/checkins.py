"""Check-ins: the coordinator's regular conversation with each side of a match.

A match's check-ins are planned when it starts (services_checkins.checkins_plan): the first
after the program's ``first_checkin_weeks``, then one every ``checkin_every_weeks`` until the
planned end, and one more when closing begins. Each is a due item for the match's coordinator,
who records what the volunteers and the household said (the household often through an
interpreter) and an outcome.

Free text is encrypted. Empty text is stored as "" (not encrypted), which is how the caseload
finds "a concern was raised" without decrypting anything.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField
from accueil.core.models import TimeStampedModel

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
# A rating at or under this is "low" in the risk queue (1 or 2 on the 1-to-5 scales).
LOW_SCORE = 2


class CheckInKind(models.TextChoices):
    REGULAR = "regular", _("Regular check-in")
    CLOSING = "closing", _("Closing check-in")


class CheckInOutcome(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    AT_RISK = "at_risk", _("At risk")


class CheckInQuerySet(models.QuerySet):
    def pending(self):
        """Neither completed nor cancelled."""
        return self.filter(completed_at__isnull=True, cancelled_at__isnull=True)

    def due_by(self, day):
        return self.pending().filter(due_on__lte=day)

    def overdue(self, today):
        return self.pending().filter(due_on__lt=today)


class CheckIn(TimeStampedModel):
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(
        _("kind"), max_length=10, choices=CheckInKind.choices, default=CheckInKind.REGULAR
    )
    due_on = models.DateField(_("due on"), db_index=True)

    # What the volunteers said (the coordinator records it, usually after a call with the lead).
    volunteer_rating = models.PositiveSmallIntegerField(
        _("how the match is going (1 to 5)"), null=True, blank=True, validators=SCALE
    )
    volunteer_wellbeing = models.PositiveSmallIntegerField(
        _("the volunteers' wellbeing (1 to 5)"), null=True, blank=True, validators=SCALE
    )
    volunteer_workload = models.PositiveSmallIntegerField(
        _("how manageable the workload is (1 to 5)"), null=True, blank=True, validators=SCALE
    )
    volunteer_notes = EncryptedTextField(_("how the match is going"), blank=True)
    volunteer_priorities = EncryptedTextField(_("progress on the priorities"), blank=True)
    volunteer_answered_at = models.DateTimeField(null=True, blank=True)
    volunteer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # What the household said, often through an interpreter.
    household_satisfaction = models.PositiveSmallIntegerField(
        _("the household's satisfaction (1 to 5)"), null=True, blank=True, validators=SCALE
    )
    household_progress = EncryptedTextField(_("progress the household sees"), blank=True)
    household_concerns = EncryptedTextField(_("concerns the household raised"), blank=True)
    through_interpreter = models.BooleanField(_("through an interpreter"), default=False)
    household_answered_at = models.DateTimeField(null=True, blank=True)
    household_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The coordinator's conclusion.
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CheckInOutcome.choices, blank=True
    )
    outcome_notes = EncryptedTextField(_("notes on the outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A regular check-in due after closing began is replaced by the closing one.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    # Set once, by the sweep that queued the coordinator's reminder (see services_checkins).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            # Planning twice (or from two requests) cannot make the same check-in twice.
            models.UniqueConstraint(
                fields=["match", "kind", "due_on"], name="checkin_one_per_match_kind_day"
            ),
            models.UniqueConstraint(
                fields=["match"],
                condition=Q(kind="closing", cancelled_at__isnull=True),
                name="checkin_one_closing_per_match",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(reminder_sent_at__isnull=True, completed_at__isnull=True),
                name="checkin_reminder_due",
            )
        ]

    def __str__(self) -> str:
        return _("%(kind)s due %(date)s") % {
            "kind": self.get_kind_display(),
            "date": self.due_on.isoformat(),
        }

    def audit_label(self) -> str:
        return _("the check-in #%(number)s of match #%(match)s") % {
            "number": self.pk,
            "match": self.match_id,
        }

    @property
    def is_pending(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None

    @property
    def concern_raised(self) -> bool:
        return bool(self.household_concerns.strip()) or self.outcome == CheckInOutcome.AT_RISK
