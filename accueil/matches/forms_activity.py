"""Forms for the activity log and the plan. They parse and check what a person typed; the
services in ``services_activity`` decide."""

from __future__ import annotations

from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin
from accueil.core.taxonomy import IntegrationPriority
from accueil.core.widgets import DateInput

from .models import ActivityMode, GoalStatus, Match
from .models.activity import MAX_MINUTES, MIN_MINUTES
from .services_activity import DEFAULT_MINUTES, NOTE_MAX, current_members


class ParticipantChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def _priority_choices(match: Match) -> list[tuple[str, str]]:
    """The household's own priorities first: they are what the group is there for."""
    labels = dict(IntegrationPriority.choices)
    first = [code for code in (match.household.priorities or []) if code in labels]
    rest = [code for code in IntegrationPriority.values if code not in first]
    return [(code, labels[code]) for code in first + rest]


class ActivityForm(ErrorLinksMixin, forms.Form):
    date = forms.DateField(label=_("When"), widget=DateInput)
    mode = forms.ChoiceField(
        label=_("How were you in touch?"),
        choices=ActivityMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you were in touch.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("How long, in minutes?"),
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
        error_messages={"required": _("Enter how many minutes it took.")},
    )
    participants = ParticipantChoiceField(
        label=_("Who took part?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who took part.")},
    )
    priorities = forms.MultipleChoiceField(
        label=_("What did it help with?"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("A short note"),
        help_text=_("A sentence or two. No health or immigration details."),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    concern = forms.BooleanField(
        label=_("Something worries me and staff should know"),
        required=False,
    )
    concern_text = forms.CharField(
        label=_("What worries you?"),
        help_text=_("Only staff read this. In an emergency, call 911 first, then the coordinator."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, match: Match, user, last_mode: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.match = match
        # The person logging comes first: they almost always took part.
        self.fields["participants"].queryset = current_members(match).order_by(
            Case(When(pk=user.pk, then=0), default=1), "full_name", "pk"
        )
        self.fields["priorities"].choices = _priority_choices(match)
        today = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        if match.started_on:
            self.fields["date"].widget.attrs["min"] = match.started_on.isoformat()
        self.initial.setdefault("date", today)
        self.initial.setdefault("mode", last_mode)
        self.initial.setdefault("duration_minutes", DEFAULT_MINUTES)
        self.initial.setdefault("participants", [user.pk])

    def clean(self):
        data = super().clean()
        if data.get("concern") and not (data.get("concern_text") or "").strip():
            self.add_error("concern_text", _("Say what worries you."))
        return data


class GoalForm(ErrorLinksMixin, forms.Form):
    priority = forms.ChoiceField(
        label=_("Integration priority"),
        choices=(),
        error_messages={"required": _("Choose the integration priority this goal serves.")},
    )
    what = forms.CharField(
        label=_("What is the goal?"),
        help_text=_("For example: open a bank account, or enrol the children in school."),
        max_length=300,
        error_messages={"required": _("Say what the goal is.")},
    )
    who = forms.CharField(
        label=_("Who helps?"),
        help_text=_("For example: Sam, with the household's eldest son."),
        max_length=200,
        required=False,
    )
    by_when = forms.DateField(label=_("By when?"), required=False, widget=DateInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=GoalStatus.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, match: Match, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [
            ("", _("Choose a priority")),
            *_priority_choices(match),
        ]
        self.initial.setdefault("status", GoalStatus.PLANNED)
