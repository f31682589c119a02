"""The check-in page's three forms (what the volunteers said, what the household said, the
outcome) and the caseload's coordinator filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin

from .models import CheckInOutcome

SCALE_ERROR = _("Choose a number from 1 to 5.")


def _scale(label, low, high, *, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        choices=[
            (1, _("1 – %(words)s") % {"words": low}),
            (2, "2"),
            (3, "3"),
            (4, "4"),
            (5, _("5 – %(words)s") % {"words": high}),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": SCALE_ERROR, "invalid_choice": SCALE_ERROR},
    )


class VolunteersForm(ErrorLinksMixin, forms.Form):
    prefix = "volunteers"

    rating = _scale(_("How is the match going?"), _("very badly"), _("very well"))
    notes = forms.CharField(
        label=_("What did they say about the match?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    priorities = forms.CharField(
        label=_("Progress on the household's priorities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wellbeing = _scale(
        _("How are the volunteers doing themselves?"),
        _("very poorly"),
        _("very well"),
    )
    workload = _scale(
        _("How manageable is their workload?"),
        _("too much"),
        _("easy to manage"),
    )


class MembersForm(ErrorLinksMixin, forms.Form):
    """The same questions, asked of the volunteers themselves on their group's page."""

    prefix = "volunteers"

    rating = _scale(_("How is the match going?"), _("very badly"), _("very well"))
    notes = forms.CharField(
        label=_("Anything your coordinator should know about the match?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    priorities = forms.CharField(
        label=_("Progress on the family's priorities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wellbeing = _scale(_("How are you doing yourselves?"), _("very poorly"), _("very well"))
    workload = _scale(_("How manageable is your workload?"), _("too much"), _("easy to manage"))


class HouseholdForm(ErrorLinksMixin, forms.Form):
    prefix = "household"

    through_interpreter = forms.BooleanField(
        label=_("We spoke through an interpreter"), required=False
    )
    satisfaction = _scale(
        _("How satisfied is the household with their Welcome Group?"),
        _("not at all"),
        _("very satisfied"),
    )
    progress = forms.CharField(
        label=_("What progress do they see?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    concerns = forms.CharField(
        label=_("Did they raise any concern?"),
        help_text=_("Leave empty if they did not. Anything written here flags the match."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OutcomeForm(ErrorLinksMixin, forms.Form):
    prefix = "outcome"

    outcome = forms.ChoiceField(
        label=_("How is the match going, in your view?"),
        choices=CheckInOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the match is going.")},
    )
    notes = forms.CharField(
        label=_("Notes"),
        help_text=_("What you agreed, and what happens next."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CoordinatorFilterForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label=_("Coordinator"),
        queryset=None,
        required=False,
        empty_label=_("Everyone"),
    )

    def __init__(self, *args, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators
