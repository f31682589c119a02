"""A match pairs one Welcome Group with one household.

This issue creates matches in the *proposed* state (from the ranking pages or an accepted batch
proposal); the rest of the lifecycle (acceptance, introduction, active, closing) builds on the
same row. A closed match that ended early keeps the pair from being proposed again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.models import TimeStampedModel


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CANCELLED = "cancelled", _("Proposal withdrawn")
    CLOSED = "closed", _("Closed")


# A household or a group slot is taken by any match in these states.
OPEN_STATUSES = [MatchStatus.PROPOSED]


class MatchSource(models.TextChoices):
    RANKING = "ranking", _("Chosen from the ranked list")
    BATCH = "batch", _("Proposed by the batch optimiser")


class MatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the household's program (admins and managers: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.role in ("admin", "program_manager"):
            return self
        if user.role == "coordinator":
            return self.filter(program__in=user.programs.all())
        return self.none()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def ended_early(self):
        return self.filter(status=MatchStatus.CLOSED, ended_early=True)


class Match(TimeStampedModel):
    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, related_name="matches"
    )
    household = models.ForeignKey(
        "newcomers.Household",
        on_delete=models.PROTECT,
        related_name="matches",
        verbose_name=_("household"),
    )
    group = models.ForeignKey(
        "volunteers.WelcomeGroup",
        on_delete=models.PROTECT,
        related_name="matches",
        verbose_name=_("Welcome Group"),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="match_caseload",
        verbose_name=_("coordinator"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MatchStatus.choices,
        default=MatchStatus.PROPOSED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(_("proposed from"), max_length=10, choices=MatchSource.choices)
    # The engine's score and its contributions (codes and numbers, no text) when proposed, so
    # the reasons can be shown later in the reader's language.
    score = models.IntegerField(_("score"))
    explanation = models.JSONField(default=list)
    override_reason = models.TextField(_("why this group rather than the top one"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_early = models.BooleanField(_("ended early"), default=False)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=OPEN_STATUSES),
                name="match_one_open_per_household",
            )
        ]

    def __str__(self) -> str:
        return _("%(group)s with household #%(household)s") % {
            "group": self.group,
            "household": self.household_id,
        }

    def audit_label(self) -> str:
        return _("match #%(number)s") % {"number": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
