"""Forms of a match's lifecycle actions. Each action that needs words asks for a reason; the
services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin
from accueil.core.widgets import DateInput

REASON_MAX = 2000


class ReasonForm(ErrorLinksMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )


class HouseholdAnswerForm(ErrorLinksMixin, forms.Form):
    answer = forms.TypedChoiceField(
        label=_("The household's answer"),
        choices=[("yes", _("They accept this group")), ("no", _("They decline"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the household's answer.")},
    )
    reason = forms.CharField(
        label=_("If they decline, why"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendForm(ErrorLinksMixin, forms.Form):
    new_end = forms.DateField(
        label=_("New end date"),
        widget=DateInput,
        error_messages={
            "required": _("Enter the new end date."),
            "invalid": _("Enter a real date."),
        },
    )
    reason = forms.CharField(
        label=_("Why the match is extended"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )
