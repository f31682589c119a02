"""The closing feedback form: one per side. It parses what a person typed; the service
(``services_closing.closing_feedback_record``) decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin

from .models import FeedbackSide
from .models.closing import RATING_MAX, RATING_MIN
from .services_closing import TEXT_MAX

RATING_CHOICES = [(value, str(value)) for value in range(RATING_MIN, RATING_MAX + 1)]


class ClosingFeedbackForm(ErrorLinksMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did the match go? (1: badly, 5: very well)"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    what_went_well = forms.CharField(
        label=_("What went well"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    what_could_improve = forms.CharField(
        label=_("What could have been better"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    through_interpreter = forms.BooleanField(
        label=_("The household answered through an interpreter"), required=False
    )

    def __init__(self, *args, side: str, **kwargs):
        kwargs.setdefault("prefix", side)
        super().__init__(*args, **kwargs)
        self.side = side
        if side != FeedbackSide.HOUSEHOLD:
            del self.fields["through_interpreter"]

    @property
    def side_label(self) -> str:
        return FeedbackSide(self.side).label
