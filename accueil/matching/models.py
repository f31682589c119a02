"""What matching stores: a program's weights, pairs staff have ruled out, and batch runs with
the proposals staff review. Scores and explanations are computed by ``engine.py``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField
from accueil.core.models import TimeStampedModel

from . import engine

_DEFAULTS = engine.Weights()


def _weight(label, default, help_text=""):
    return models.PositiveSmallIntegerField(label, default=default, help_text=help_text)


class MatchingSettings(models.Model):
    """A program's weights and limits. Created with the engine's documented defaults."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="matching_settings"
    )
    priorities = _weight(
        _("integration priorities"),
        _DEFAULTS.priorities,
        _("Points when the group covers every priority the family ranked."),
    )
    language_shared = _weight(
        _("a shared language"),
        _DEFAULTS.language_shared,
        _("A volunteer speaks a family language."),
    )
    language_interpreter = _weight(
        _("an interpreter"),
        _DEFAULTS.language_interpreter,
        _("No shared language, but an interpreter speaks a family language."),
    )
    availability_per_slot = _weight(
        _("each time in common"),
        _DEFAULTS.availability_per_slot,
        _("Per weekly time (morning, afternoon or evening) both are free."),
    )
    availability_max_slots = _weight(
        _("times in common counted, at most"), _DEFAULTS.availability_max_slots
    )
    region = _weight(
        _("same region"),
        _DEFAULTS.region,
        _("For a family open to meeting in person, when a volunteer can meet them there."),
    )
    group_size = _weight(
        _("group size"), _DEFAULTS.group_size, _("Enough members for the size of the household.")
    )
    wait_per_week = _weight(
        _("each week waited"),
        _DEFAULTS.wait_per_week,
        _("Keeps long waits from being passed over."),
    )
    wait_max_weeks = _weight(_("weeks waited counted, at most"), _DEFAULTS.wait_max_weeks)
    urgency_soon = _weight(_("referred as needing support soon"), _DEFAULTS.urgency_soon)
    urgency_urgent = _weight(_("referred as urgent"), _DEFAULTS.urgency_urgent)
    caseload_limit = models.PositiveSmallIntegerField(
        _("matches per coordinator"),
        default=20,
        help_text=_("Open matches one coordinator can supervise; beyond it, no new proposals."),
    )
    top_n = models.PositiveSmallIntegerField(
        _("candidates shown"), default=10, help_text=_("How many ranked candidates a page lists.")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    WEIGHT_FIELDS = list(engine.Weights.__dataclass_fields__)

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return str(self.program)

    def audit_label(self) -> str:
        return _("matching settings of %(program)s") % {"program": self.program}

    def weights(self) -> engine.Weights:
        return engine.Weights(**{name: getattr(self, name) for name in self.WEIGHT_FIELDS})


class PairExclusion(TimeStampedModel):
    """Staff rule a pair out for good, e.g. a conflict of interest (a volunteer knows the
    family, works at their settlement agency)."""

    household = models.ForeignKey(
        "newcomers.Household", on_delete=models.CASCADE, related_name="pair_exclusions"
    )
    group = models.ForeignKey(
        "volunteers.WelcomeGroup", on_delete=models.CASCADE, related_name="pair_exclusions"
    )
    reason = EncryptedTextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "group"], name="pair_exclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} × {self.group_id}"


class BatchRun(TimeStampedModel):
    """One run of the optimiser over a program's waiting list."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.CASCADE, related_name="matching_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    method = models.CharField(max_length=20)
    households = models.PositiveIntegerField(_("waiting households"))
    groups = models.PositiveIntegerField(_("ready groups with room"))
    total_score = models.IntegerField(_("total score"))
    seconds = models.FloatField(_("seconds"))
    weights = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.program} — {self.created_at:%Y-%m-%d %H:%M}"

    def audit_label(self) -> str:
        return _("batch run #%(number)s") % {"number": self.pk}


class ProposalDecision(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    STALE = "stale", _("No longer possible")


class BatchProposal(models.Model):
    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="proposals")
    household = models.ForeignKey(
        "newcomers.Household", on_delete=models.CASCADE, related_name="batch_proposals"
    )
    group = models.ForeignKey(
        "volunteers.WelcomeGroup", on_delete=models.CASCADE, related_name="batch_proposals"
    )
    score = models.IntegerField(_("score"))
    explanation = models.JSONField(default=list)
    wait_days = models.PositiveIntegerField(_("days waiting"))
    decision = models.CharField(
        max_length=10, choices=ProposalDecision.choices, default=ProposalDecision.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    match = models.ForeignKey(
        "matches.Match", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-wait_days", "pk"]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.household_id} × {self.group_id}"
