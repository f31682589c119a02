"""What a match does: the activity log the group keeps, and the plan of goals it works towards.

Volunteers log each contact with the household from a phone in a few taps (``Activity``); the
hours add up per volunteer and per group. The plan (``Goal``) holds a few goals per integration
priority, revised with the coordinator at check-ins.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField
from accueil.core.models import TimeStampedModel
from accueil.core.taxonomy import IntegrationPriority

# An activity lasts at least a minute and at most a (long) day.
MIN_MINUTES = 1
MAX_MINUTES = 12 * 60


class ActivityMode(models.TextChoices):
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    MESSAGES = "messages", _("Messages")


class ActivityQuerySet(models.QuerySet):
    def concerns(self):
        """Activities where a volunteer flagged a worry for staff (the risk queue)."""
        return self.filter(concern=True)


class Activity(models.Model):
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("date"))
    mode = models.CharField(_("how"), max_length=12, choices=ActivityMode.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("minutes"),
        validators=[MinValueValidator(MIN_MINUTES), MaxValueValidator(MAX_MINUTES)],
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="activities_taken_part",
        verbose_name=_("who took part"),
    )
    # IntegrationPriority codes.
    priorities = models.JSONField(_("priorities addressed"), default=list, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    concern = models.BooleanField(_("concern"), default=False, db_index=True)
    concern_text = EncryptedTextField(_("what worries you"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="activities_logged",
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["match", "date"], name="activity_match_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_MINUTES, duration_minutes__lte=MAX_MINUTES),
                name="activity_duration_range",
            ),
            # Empty stays empty when encrypted, so the database can hold this rule too.
            models.CheckConstraint(
                condition=Q(concern=False) | ~Q(concern_text=""),
                name="activity_concern_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.date} {self.mode} {self.duration_minutes}"

    def audit_label(self) -> str:
        return _("activity #%(number)s") % {"number": self.pk}

    def priority_labels(self) -> list[str]:
        labels = dict(IntegrationPriority.choices)
        return [str(labels.get(code, code)) for code in self.priorities or []]


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Goal(TimeStampedModel):
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="goals")
    priority = models.CharField(
        _("integration priority"), max_length=30, choices=IntegrationPriority.choices
    )
    what = models.CharField(_("what"), max_length=300)
    who = models.CharField(_("who"), max_length=200, blank=True)
    by_when = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["priority", "created_at", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.what

    def audit_label(self) -> str:
        return _("goal #%(number)s") % {"number": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status in (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)
