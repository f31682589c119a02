from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accueil.core.models import TimeStampedModel


def _in_language(content: dict, field: str) -> str:
    """Text in the active language, falling back to English, then to any language present."""
    language = (get_language() or "en").split("-")[0]
    for code in (language, "en", *content.keys()):
        value = (content.get(code) or {}).get(field)
        if value:
            return value
    return ""


class TrainingModule(TimeStampedModel):
    """One module of the online training. Text is stored per language in ``content``:
    {"en": {"title": …, "summary": …, "body": <sanitized HTML>}, "fr": {…}}."""

    slug = models.SlugField(unique=True)
    content = models.JSONField(default=dict)
    video_url = models.URLField(_("video link"), blank=True)
    required_for = models.JSONField(
        _("required for"), default=list, help_text=_("Roles: volunteer, group_lead, interpreter.")
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    refresher_months = models.PositiveSmallIntegerField(
        _("refresher after (months)"), null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Bodies are shown unescaped: sanitize on every save, whoever saves (loader, shell,
        # a future editor). QuerySet.update() skips this; never write content that way.
        from ..services.training import sanitize_content

        self.content = sanitize_content(self.content)
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return _in_language(self.content, "title")

    @property
    def summary(self) -> str:
        return _in_language(self.content, "summary")

    @property
    def body(self) -> str:
        return _in_language(self.content, "body")


class TrainingFile(models.Model):
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to="training/")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer")
        MULTIPLE = "multiple", _("Several answers")

    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text = models.JSONField(default=dict, help_text=_('{"en": "…", "fr": "…"}'))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language({k: {"t": v} for k, v in self.text.items()}, "t")


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.JSONField(default=dict)
    correct = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language({k: {"t": v} for k, v in self.text.items()}, "t")


class QuizAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="attempts")
    score = models.PositiveSmallIntegerField(
        help_text=_("Percent of questions answered correctly.")
    )
    passed = models.BooleanField()
    answers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.score}%"


class TrainingCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions"
    )
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)
    refresher_due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_at"]

    def __str__(self) -> str:
        return f"{self.module} ✓"

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.refresher_due_on is None or self.refresher_due_on >= on
