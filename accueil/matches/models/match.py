"""A match pairs one Welcome Group with one household.

Matches are created *proposed* (from the ranking pages or an accepted batch proposal), then
move only along TRANSITIONS: accepted (both sides said yes) → introduction scheduled →
active ⇄ paused → closing → closed (completed, or ended early with a reason). A closed match
that ended early keeps the pair from being proposed again.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.models import TimeStampedModel


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted by both sides")
    INTRODUCTION_SCHEDULED = "introduction_scheduled", _("Introduction scheduled")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Proposal withdrawn")


# A household or a group place is taken by any match in these states.
OPEN_STATUSES = [
    MatchStatus.PROPOSED,
    MatchStatus.ACCEPTED,
    MatchStatus.INTRODUCTION_SCHEDULED,
    MatchStatus.ACTIVE,
    MatchStatus.PAUSED,
    MatchStatus.CLOSING,
]
# The group sees the household's shared profile in these states (and for a while after closing).
PROFILE_STATUSES = [
    MatchStatus.ACCEPTED,
    MatchStatus.INTRODUCTION_SCHEDULED,
    MatchStatus.ACTIVE,
    MatchStatus.PAUSED,
    MatchStatus.CLOSING,
]

# The moves a match can make, by name. Anything else is refused (Match.can_move_to).
TRANSITIONS = {
    MatchStatus.PROPOSED: {MatchStatus.ACCEPTED, MatchStatus.DECLINED, MatchStatus.CANCELLED},
    MatchStatus.ACCEPTED: {MatchStatus.INTRODUCTION_SCHEDULED, MatchStatus.CLOSED},
    MatchStatus.INTRODUCTION_SCHEDULED: {MatchStatus.ACTIVE, MatchStatus.CLOSED},
    MatchStatus.ACTIVE: {MatchStatus.PAUSED, MatchStatus.CLOSING, MatchStatus.CLOSED},
    MatchStatus.PAUSED: {MatchStatus.ACTIVE, MatchStatus.CLOSING, MatchStatus.CLOSED},
    MatchStatus.CLOSING: {MatchStatus.CLOSED},
    MatchStatus.CLOSED: set(),
    MatchStatus.DECLINED: set(),
    MatchStatus.CANCELLED: set(),
}


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")


class HouseholdAnswer(models.TextChoices):
    STAFF_CALL = "staff_call", _("Recorded by staff after a call")
    SMS_LINK = "sms_link", _("Through the link sent by text message")


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
        max_length=30,
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

    # Acceptance: the group lead for the group; staff (after a call) or the SMS link for the
    # household. The match is accepted when both have said yes.
    group_accepted_at = models.DateTimeField(_("accepted by the group"), null=True, blank=True)
    group_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    household_accepted_at = models.DateTimeField(
        _("accepted by the household"), null=True, blank=True
    )
    household_answer_how = models.CharField(
        _("how the household answered"), max_length=20, choices=HouseholdAnswer.choices, blank=True
    )
    household_answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_by = models.CharField(_("declined by"), max_length=10, blank=True)
    reason = models.TextField(_("reason"), blank=True)  # declined, withdrawn, paused, ended

    # The life of the match.
    started_on = models.DateField(_("started"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

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

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, set())

    def profile_visible_to_group(self, *, now=None, retention_days: int = 30) -> bool:
        """Whether the group may read the household's shared profile: from acceptance until
        ``retention_days`` after closing. Consent is checked separately."""
        if self.status in PROFILE_STATUSES:
            return True
        if self.status == MatchStatus.CLOSED and self.closed_at is not None:
            now = now or timezone.now()
            return now < self.closed_at + timedelta(days=retention_days)
        return False


class MatchExtension(models.Model):
    """A match runs past its planned end: when, until when, and why."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="extensions")
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.previous_end} → {self.new_end}"


class ProgramMatchSettings(models.Model):
    """How a program runs its matches. Created with these defaults on first use."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="match_settings"
    )
    duration_months = models.PositiveSmallIntegerField(_("length of a match (months)"), default=6)
    profile_retention_days = models.PositiveSmallIntegerField(
        _("days the group keeps the profile after closing"), default=30
    )
    group_rest_days = models.PositiveSmallIntegerField(
        _("days a group rests before a new match"), default=30
    )
    # Check-ins: the first after this many weeks, then every N weeks, and one at closing.
    first_checkin_weeks = models.PositiveSmallIntegerField(_("first check-in (weeks)"), default=2)
    checkin_every_weeks = models.PositiveSmallIntegerField(
        _("then a check-in every (weeks)"), default=4
    )
    no_activity_days = models.PositiveSmallIntegerField(
        _("days without activity before a match is flagged"), default=14
    )

    class Meta:
        verbose_name = _("match settings")
        verbose_name_plural = _("match settings")

    def __str__(self) -> str:
        return str(self.program)

    @classmethod
    def for_program(cls, program) -> ProgramMatchSettings:
        """The program's settings, or the defaults (unsaved) when it has none: reading a page
        never writes."""
        return cls.objects.filter(program=program).first() or cls(program=program)
