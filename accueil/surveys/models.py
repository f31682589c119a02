"""Surveys: instruments loaded from versioned files, and their administrations.

An **instrument** (the SPS-24, the UCLA 3-item scale, our program items, or one imported from an
XLSForm) is data: its full definition (items, scales, translations, scoring rules) is stored as
JSON, as ``definitions.Instrument.to_dict()`` returns it, keyed by slug and version. Shipped
instruments are synced from ``surveys/instruments/*.yaml`` after every ``migrate``.

An **administration** is one sitting of one respondent (a household or a volunteer) at one
phase (before or after a match): it holds the link's token (only its SHA-256 is searchable; the
token itself is kept encrypted so a reminder can repeat the same link), how the answers were
collected (by the respondent through the link, by staff or an interpreter on the phone, from
paper, from a CSV file) and one **response** per instrument, scored when submitted. Answers are
small integers kept in clear so the report can aggregate them; free text is encrypted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField
from accueil.core.models import TimeStampedModel


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Audience(models.TextChoices):
    HOUSEHOLD = "household", _("Households")
    VOLUNTEER = "volunteer", _("Volunteers")
    ANY = "any", _("Anyone")


class InstrumentSource(models.TextChoices):
    SHIPPED = "shipped", _("Shipped with Accueil")
    XLSFORM = "xlsform", _("Imported from an XLSForm")


class InstrumentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class Instrument(models.Model):
    slug = models.SlugField(_("short name"), max_length=60)
    version = models.CharField(_("version"), max_length=20)
    audience = models.CharField(_("for"), max_length=10, choices=Audience.choices)
    title = models.JSONField(_("title"), default=dict)  # {language: text}
    definition = models.JSONField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=10, choices=InstrumentSource.choices)
    is_current = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="one_instrument_version"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(is_current=True), name="one_current_instrument"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"

    @property
    def spec(self):
        """The definition as ``definitions.Instrument`` (parsed once per object)."""
        cached = self.__dict__.get("_spec")
        if cached is None:
            from .definitions import Instrument as Spec

            cached = self.__dict__["_spec"] = Spec.from_dict(self.definition)
        return cached

    def title_for(self, language: str) -> str:
        return self.spec.title_for(language)


DEFAULT_PLAN = {
    "household_pre": ["sps-24", "ucla-3", "program-items"],
    "household_post": ["sps-24", "ucla-3", "program-items", "match-satisfaction"],
    "volunteer_pre": ["volunteer-prepost"],
    "volunteer_post": ["volunteer-prepost", "match-satisfaction"],
}


class ProgramSurveySettings(models.Model):
    """Which instruments each program gives, when, and how long a link stays open."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="survey_settings"
    )
    household_pre = models.JSONField(default=list)
    household_post = models.JSONField(default=list)
    volunteer_pre = models.JSONField(default=list)
    volunteer_post = models.JSONField(default=list)
    link_days = models.PositiveSmallIntegerField(_("days a link stays open"), default=30)
    first_reminder_days = models.PositiveSmallIntegerField(default=3)
    second_reminder_days = models.PositiveSmallIntegerField(default=10)

    def __str__(self) -> str:
        return f"surveys of {self.program}"

    @classmethod
    def for_program(cls, program) -> ProgramSurveySettings:
        """The saved settings, or the defaults (unsaved)."""
        found = cls.objects.filter(program=program).first()
        if found is not None:
            return found
        return cls(program=program, **{key: list(value) for key, value in DEFAULT_PLAN.items()})

    def plan(self, audience: str, phase: str) -> list[str]:
        return list(getattr(self, f"{audience}_{phase}"))


class Phase(models.TextChoices):
    PRE = "pre", _("Before the match")
    POST = "post", _("After the match")


class AdminStatus(models.TextChoices):
    PENDING = "pending", _("Not sent yet")
    SENT = "sent", _("Link sent")
    STARTED = "started", _("Started")
    SUBMITTED = "submitted", _("Completed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (AdminStatus.PENDING, AdminStatus.SENT, AdminStatus.STARTED)
# An expired link closes the survey to the respondent's link only: staff may still send a new
# link, call and enter the answers, or cancel it.
STAFF_OPEN_STATUSES = (*OPEN_STATUSES, AdminStatus.EXPIRED)


class Mode(models.TextChoices):
    LINK = "link", _("By the respondent, through the link")
    INTERVIEW = "interview", _("On the phone with staff")
    INTERPRETER = "interpreter", _("On the phone, through an interpreter")
    PAPER = "paper", _("Entered from paper")
    IMPORT = "import", _("Imported from a file")


class AdministrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the program (admins and managers: all)."""
        from accueil.core.permissions import is_manager_or_admin, is_staff_member

        if user is None or not user.is_authenticated or not is_staff_member(user):
            return self.none()
        if is_manager_or_admin(user):
            return self
        return self.filter(program__in=user.programs.all())

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Administration(TimeStampedModel):
    program = models.ForeignKey("accounts.Program", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "newcomers.Household",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_administrations",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_administrations",
    )
    match = models.ForeignKey(
        "matches.Match", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phase = models.CharField(_("phase"), max_length=4, choices=Phase.choices)
    slot = models.CharField(max_length=60, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=AdminStatus.choices, default=AdminStatus.PENDING
    )
    mode = models.CharField(_("how collected"), max_length=12, choices=Mode.choices, blank=True)

    # NULL until a link is made: unique among those that have one.
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    token = EncryptedTextField(blank=True, editable=False)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    channel = models.CharField(_("link sent by"), max_length=10, blank=True)  # sms / email
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("completed"), null=True, blank=True)

    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interpreter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interpreter_name = models.CharField(_("interpreter"), max_length=200, blank=True)
    research_consent = models.BooleanField(_("agreed to research use"), null=True)

    objects = AdministrationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(household__isnull=False) & Q(person__isnull=True))
                | (Q(household__isnull=True) & Q(person__isnull=False)),
                name="administration_one_respondent",
            ),
            # The automatic schedule creates one pre per respondent and one post per match:
            # ``slot`` names that place ("household-12-pre", "person-3-post-40"); blank for a
            # survey staff add by hand.
            models.UniqueConstraint(
                fields=["slot"],
                condition=~Q(slot="") & ~Q(status="cancelled"),
                name="one_administration_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"survey #{self.pk}"

    @property
    def audience(self) -> str:
        return Audience.HOUSEHOLD if self.household_id else Audience.VOLUNTEER

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def open_to_staff(self) -> bool:
        return self.status in STAFF_OPEN_STATUSES

    def new_token(self, days: int) -> str:
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token = token
        self.expires_at = timezone.now() + timedelta(days=days)
        return token


class Response(models.Model):
    """One instrument within an administration; ``scores`` is ``scoring.score`` as JSON."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="responses"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    scores = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["administration", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "instrument"], name="one_response_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"response #{self.pk}"


# A number answer is kept in a small integer column (``Answer.value``).
NUMBER_MIN, NUMBER_MAX = -32768, 32767


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.PositiveSmallIntegerField()
    value = models.SmallIntegerField(null=True, blank=True)
    text = EncryptedTextField(blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["response", "item"]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"answer to item {self.item}"
