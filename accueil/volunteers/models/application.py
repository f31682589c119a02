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
from accueil.core.taxonomy import Gender


class VolunteerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    IN_SCREENING = "in_screening", _("In screening")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Allowed moves. Approval has its own service (it checks the screening steps).
TRANSITIONS = {
    VolunteerStatus.APPLIED: {
        VolunteerStatus.IN_SCREENING,
        VolunteerStatus.ON_HOLD,
        VolunteerStatus.DECLINED,
        VolunteerStatus.WITHDRAWN,
    },
    VolunteerStatus.IN_SCREENING: {
        VolunteerStatus.APPROVED,
        VolunteerStatus.ON_HOLD,
        VolunteerStatus.DECLINED,
        VolunteerStatus.WITHDRAWN,
    },
    VolunteerStatus.APPROVED: {
        VolunteerStatus.ACTIVE,
        VolunteerStatus.ON_HOLD,
        VolunteerStatus.WITHDRAWN,
    },
    VolunteerStatus.ACTIVE: {
        VolunteerStatus.APPROVED,
        VolunteerStatus.ON_HOLD,
        VolunteerStatus.WITHDRAWN,
    },
    VolunteerStatus.ON_HOLD: {
        VolunteerStatus.IN_SCREENING,
        VolunteerStatus.APPROVED,
        VolunteerStatus.DECLINED,
        VolunteerStatus.WITHDRAWN,
    },
    VolunteerStatus.DECLINED: set(),
    VolunteerStatus.WITHDRAWN: set(),
}


class LanguageLevel(models.TextChoices):
    BASIC = "basic", _("A few words")
    CONVERSATIONAL = "conversational", _("Conversational")
    FLUENT = "fluent", _("Fluent")
    NATIVE = "native", _("First language")


class VolunteerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see volunteers of their programs (admins and managers see all); a volunteer
        sees only their own record; everyone else sees none."""
        if not user.is_authenticated:
            return self.none()
        if user.role in ("admin", "program_manager"):
            return self
        if user.role == "coordinator":
            return self.filter(program__in=user.programs.all())
        return self.filter(user=user)

    def in_pipeline(self):
        return self.exclude(status__in=[VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN])


class Volunteer(TimeStampedModel):
    """A volunteer's application and profile. Created when the application is submitted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer"
    )
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("program"),
    )
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("region"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=VolunteerStatus.choices,
        default=VolunteerStatus.APPLIED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    decline_reason = models.TextField(_("reason"), blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_caseload",
        verbose_name=_("coordinator"),
    )
    phone = EncryptedTextField(_("phone number"), blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    postal_prefix = models.CharField(
        _("first three characters of the postal code"), max_length=3, blank=True
    )
    in_person = models.BooleanField(_("willing to meet in person"), default=False)
    skills = models.JSONField(
        _("skills and interests"), default=list, help_text=_("Integration-priority codes.")
    )
    availability = models.JSONField(
        _("weekly availability"), default=list, help_text=_("Slots such as mon_evening.")
    )
    heard_from = models.CharField(_("how they heard about the program"), max_length=200, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20)
    consented_at = models.DateTimeField(_("consent given"))
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return str(self.user)

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[VolunteerStatus(self.status)]

    @property
    def is_approved(self) -> bool:
        return self.status in (VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE)


class VolunteerLanguage(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language"), max_length=3, help_text=_("ISO 639 code"))
    level = models.CharField(_("level"), max_length=20, choices=LanguageLevel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "code"], name="one_level_per_language")
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.level})"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApplicationDraftQuerySet(models.QuerySet):
    def by_token(self, token: str):
        return self.filter(
            token_hash=_hash(token), submitted_at__isnull=True, expires_at__gt=timezone.now()
        )


class ApplicationDraft(TimeStampedModel):
    """An application in progress, before any account exists. The answers are encrypted;
    the person resumes with the link emailed to them (only its hash is stored)."""

    email = models.EmailField(_("email address"), db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    data = EncryptedTextField(default="{}")
    step = models.CharField(max_length=32, default="about")
    language = models.CharField(max_length=10, default="en")
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationDraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(submitted_at__isnull=True),
                name="one_open_draft_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"draft #{self.pk}"

    def new_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash(token)
        self.expires_at = timezone.now() + timedelta(days=30)
        return token
