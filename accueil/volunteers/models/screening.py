import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField
from accueil.core.models import TimeStampedModel


class StepType(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    REFERENCES = "references", _("Two references")
    POLICE_CHECK = "police_check", _("Police vulnerable-sector check")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct")
    ORIENTATION = "orientation", _("Orientation session")
    TRAINING = "training", _("Required training")


DEFAULT_STEPS = list(StepType)


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Completed")
    WAIVED = "waived", _("Not needed")


class ProgramScreeningStep(models.Model):
    """Which screening steps a program asks for, in which order."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.CASCADE, related_name="screening_steps"
    )
    step_type = models.CharField(_("step"), max_length=32, choices=StepType.choices)
    required = models.BooleanField(_("required for approval"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "step_type"], name="one_step_type_per_program"
            )
        ]

    def __str__(self) -> str:
        return self.get_step_type_display()


class ScreeningStep(TimeStampedModel):
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.CASCADE, related_name="steps"
    )
    step_type = models.CharField(_("step"), max_length=32, choices=StepType.choices)
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    notes = EncryptedTextField(_("staff notes"), blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "step_type"], name="one_step_of_each_type")
        ]

    def __str__(self) -> str:
        return self.get_step_type_display()

    @property
    def is_complete(self) -> bool:
        return self.status in (StepStatus.DONE, StepStatus.WAIVED)

    def is_expired(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.expires_on is not None and self.expires_on < on


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Reference(TimeStampedModel):
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.CASCADE, related_name="references"
    )
    name = models.CharField(_("name"), max_length=200)
    email = EncryptedTextField(_("email address"))
    relation = models.CharField(_("how they know the applicant"), max_length=200)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    by_phone = models.BooleanField(_("taken by phone"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = EncryptedTextField(_("answers"), blank=True, help_text=_("JSON"))
    recommends = models.BooleanField(_("recommends the applicant"), null=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def new_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash(token)
        return token

    @classmethod
    def hash_token(cls, token: str) -> str:
        return _hash(token)


def document_path(instance, filename: str) -> str:
    # A random name: nothing about the person or the original file in the path.
    return f"documents/{uuid.uuid4().hex}"


class Document(TimeStampedModel):
    """A private file (a police check, say). Stored under MEDIA_ROOT, which is never served
    directly: only the permission-checked download view reads it."""

    class Kind(models.TextChoices):
        POLICE_CHECK = "police_check", _("Police vulnerable-sector check")
        OTHER = "other", _("Other document")

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    file = models.FileField(upload_to=document_path)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    original_name = EncryptedTextField(_("file name"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class CodeOfConductSignature(models.Model):
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.CASCADE, related_name="signatures"
    )
    version = models.CharField(max_length=20)
    signed_name = models.CharField(_("signed as"), max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.version} @ {self.signed_at:%Y-%m-%d}"


REFERENCE_REMINDER_AFTER = timedelta(days=5)
