"""Incidents and safeguarding: anyone in a match reports a worry (a volunteer, an interpreter,
staff on the household's behalf); staff on the case triage it, record what was done and
resolve it. What happened and everything staff write about it is encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField


class IncidentCategory(models.TextChoices):
    SAFETY = "safety", _("Safety")
    WELLBEING = "wellbeing", _("Wellbeing")
    CONDUCT = "conduct", _("Boundaries or conduct")
    DISCRIMINATION = "discrimination", _("Discrimination")
    PRIVACY = "privacy", _("Privacy")
    MONEY = "money", _("Money or gifts")
    OTHER = "other", _("Other")


class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TRIAGED = "triaged", _("Triaged")
    RESOLVED = "resolved", _("Resolved")


class IncidentQuerySet(models.QuerySet):
    def open_first(self):
        """Open, then triaged, then resolved; the most severe and then the newest first."""
        return self.annotate(
            status_rank=Case(
                When(status=IncidentStatus.OPEN, then=Value(0)),
                When(status=IncidentStatus.TRIAGED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            severity_rank=Case(
                When(severity=IncidentSeverity.HIGH, then=Value(0)),
                When(severity=IncidentSeverity.MEDIUM, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        ).order_by("status_rank", "severity_rank", "-created_at", "-pk")

    def unresolved(self):
        return self.exclude(status=IncidentStatus.RESOLVED)


class Incident(models.Model):
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="incidents")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="incidents_reported",
        verbose_name=_("reported by"),
    )
    on_behalf_of_household = models.BooleanField(_("on the household's behalf"), default=False)
    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=IncidentSeverity.choices, db_index=True
    )
    what_happened = EncryptedTextField(_("what happened"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IncidentStatus.choices,
        default=IncidentStatus.OPEN,
        db_index=True,
    )
    triage_notes = EncryptedTextField(_("triage notes"), blank=True)
    actions = EncryptedTextField(_("actions taken"), blank=True)
    resolution = EncryptedTextField(_("resolution"), blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["match", "status"], name="incident_match_status")]
        constraints = [
            # Empty stays empty when encrypted, so the database can hold these rules too.
            models.CheckConstraint(condition=~Q(what_happened=""), name="incident_what_happened"),
            models.CheckConstraint(
                condition=~Q(status=IncidentStatus.RESOLVED) | ~Q(resolution=""),
                name="incident_resolution_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.category} {self.severity} {self.status}"

    def audit_label(self) -> str:
        return _("incident #%(number)s") % {"number": self.pk}

    @property
    def is_resolved(self) -> bool:
        return self.status == IncidentStatus.RESOLVED
