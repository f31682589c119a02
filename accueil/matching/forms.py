"""Staff forms for matching: proposing from a ranking, ruling a group out, reviewing a batch
proposal and a program's weights. Forms parse and validate; the services decide."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin

from .models import MatchingSettings

REASON_MAX = 2000


class ProposeForm(ErrorLinksMixin, forms.Form):
    """One per candidate on a ranking page: ``auto_id`` keeps the ids apart. The group (or the
    household) comes from the URL and a hidden input, fetched through ``visible_to``."""

    override_reason = forms.CharField(
        label=_("Why this group rather than the top-ranked one"),
        help_text=_(
            "A reason is needed: this is not the top-ranked group for this household. "
            "The match keeps it."
        ),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExclusionForm(ErrorLinksMixin, forms.Form):
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=None,
        empty_label=_("Choose a group"),
        error_messages={
            "required": _("Choose the group to rule out."),
            "invalid_choice": _("Choose one of the groups in the list."),
        },
    )
    reason = forms.CharField(
        label=_("Why this group must not be proposed"),
        help_text=_(
            "For example, a volunteer knows the family or works at their settlement agency. "
            "Staff see this; volunteers and the family never do."
        ),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why this group must not be proposed.")},
    )

    def __init__(self, *args, groups, **kwargs):
        kwargs.setdefault("auto_id", "exclude-%s")
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class RejectForm(ErrorLinksMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why you reject this proposal"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you reject this proposal.")},
    )


def _with_default(help_text, default) -> str:
    default_text = _("default: %(value)s") % {"value": default}
    return f"{help_text} ({default_text})" if help_text else f"({default_text})"


class SettingsForm(ErrorLinksMixin, forms.ModelForm):
    """The program's weights, each between 0 and 100 points; the documented default beside
    each, so a manager can always go back."""

    LIMITS = {"caseload_limit": (1, 200), "top_n": (1, 50)}
    WEIGHT_LIMITS = (0, 100)

    class Meta:
        model = MatchingSettings
        fields = [*MatchingSettings.WEIGHT_FIELDS, "caseload_limit", "top_n"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            low, high = self.LIMITS.get(name, self.WEIGHT_LIMITS)
            model_field = MatchingSettings._meta.get_field(name)
            # Replace the model field's limits (0 to 32767) with the program's own.
            field.validators = [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high, "inputmode": "numeric"})
            field.widget.attrs.pop("maxlength", None)
            message = _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
            field.error_messages.update(
                {
                    "required": message,
                    "invalid": message,
                    "min_value": message,
                    "max_value": message,
                }
            )
            field.help_text = _with_default(model_field.help_text, model_field.default)
            field.label = str(model_field.verbose_name).capitalize()

    def weights_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}
