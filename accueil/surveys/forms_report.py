"""The impact report's filters (a GET form shared by the page and both exports)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.accounts.models import Program, Region
from accueil.core.i18n import NEWCOMER_LANGUAGES
from accueil.core.languages import language_name
from accueil.core.permissions import is_manager_or_admin

from .models import Audience
from .selectors_report import Filters, cohort_choices


class ImpactFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False, empty_label=_("All")
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    cohort = forms.ChoiceField(
        label=_("Quarter the match started"),
        required=False,
        help_text=_("The quarter in which the match of the after-survey started."),
    )
    language = forms.ChoiceField(label=_("Language of the survey"), required=False)
    audience = forms.ChoiceField(
        label=_("Respondents"),
        required=False,
        choices=[
            ("", _("Households and volunteers")),
            (Audience.HOUSEHOLD, _("Households")),
            (Audience.VOLUNTEER, _("Volunteers")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Coordinators choose among their own programs only; another program is "not one of
        # the available choices", and its figures never reach them anyway (visible_to).
        self.fields["program"].queryset = (
            Program.objects.order_by("name")
            if is_manager_or_admin(user)
            else user.programs.order_by("name")
        )
        self.fields["cohort"].choices = [("", _("Any time")), *cohort_choices(user)]
        self.fields["language"].choices = [("", _("Any language"))] + [
            (code, language_name(code)) for code in NEWCOMER_LANGUAGES
        ]

    def filters(self) -> Filters:
        """The chosen filters; none for an unbound form. Call after ``is_valid()``."""
        if not self.is_bound:
            return Filters()
        data = self.cleaned_data
        return Filters(
            program_id=data["program"].pk if data.get("program") else None,
            region_id=data["region"].pk if data.get("region") else None,
            cohort=data.get("cohort") or "",
            language=data.get("language") or "",
            audience=data.get("audience") or "",
        )
