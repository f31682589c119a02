"""Forms for incidents. They parse and check what a person typed; the services in
``services_incidents`` decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin

from .models import IncidentCategory, IncidentSeverity
from .services_incidents import TEXT_MAX


class IncidentReportForm(ErrorLinksMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=IncidentCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of incident it is.")},
    )
    severity = forms.ChoiceField(
        label=_("How serious is it?"),
        help_text=_(
            "High: someone is at risk of harm or it cannot wait. The coordinator and the program "
            "manager are told at once."
        ),
        choices=IncidentSeverity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how serious it is.")},
    )
    what_happened = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "When, where, who was involved and what was said or done. Only staff on the case "
            "read this. In an emergency, call 911 first."
        ),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Say what happened.")},
    )


class StaffIncidentReportForm(IncidentReportForm):
    on_behalf_of_household = forms.BooleanField(
        label=_("I am reporting this on the household's behalf"),
        required=False,
        initial=True,
    )


class TriageForm(ErrorLinksMixin, forms.Form):
    triage_notes = forms.CharField(
        label=_("Triage notes"),
        help_text=_("What you found and what happens next."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what you found and what happens next.")},
    )


class ActionsForm(ErrorLinksMixin, forms.Form):
    actions = forms.CharField(
        label=_("Action taken"),
        help_text=_("It is added to the list with today's date and your name."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what was done.")},
    )


class ResolveForm(ErrorLinksMixin, forms.Form):
    resolution = forms.CharField(
        label=_("How was it resolved?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say how the incident was resolved.")},
    )
