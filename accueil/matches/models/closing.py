"""Closing a match: what each side said about it at the end.

When a match closes, staff record the household's feedback (often after a call through an
interpreter) and the volunteers' feedback; the group lead may record the volunteers' side
themselves. One entry per side and match; the free text is encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField

RATING_MIN = 1
RATING_MAX = 5


class FeedbackSide(models.TextChoices):
    VOLUNTEERS = "volunteers", _("The volunteers")
    HOUSEHOLD = "household", _("The household")


class ClosingFeedback(models.Model):
    match = models.ForeignKey(
        "matches.Match", on_delete=models.CASCADE, related_name="closing_feedback"
    )
    side = models.CharField(_("whose feedback"), max_length=12, choices=FeedbackSide.choices)
    rating = models.PositiveSmallIntegerField(
        _("how the match went (1 to 5)"),
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )
    what_went_well = EncryptedTextField(_("what went well"), blank=True)
    what_could_improve = EncryptedTextField(_("what could have been better"), blank=True)
    # Household side only: the answers were given through an interpreter.
    through_interpreter = models.BooleanField(_("through an interpreter"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["match", "side"]
        verbose_name = _("closing feedback")
        verbose_name_plural = _("closing feedback")
        constraints = [
            models.UniqueConstraint(fields=["match", "side"], name="closing_feedback_one_per_side"),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="closing_feedback_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.side} {self.rating}"

    def audit_label(self) -> str:
        return _("closing feedback #%(number)s") % {"number": self.pk}
