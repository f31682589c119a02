"""The referral form: one page in fieldsets (referrers fill it in between appointments), then
a check-your-answers page. The same form serves partners, staff entering a referral received
by phone or email, and the public self-referral form (fewer questions, plainer words).

What the person typed is kept as typed (``to_storage``) until the referral is sent, so a
wrong answer is corrected in place and nothing else is lost.
"""

from __future__ import annotations

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accueil.accounts.models import Organisation, Region
from accueil.core import languages
from accueil.core.forms import ErrorLinksMixin
from accueil.core.taxonomy import IntegrationPriority
from accueil.core.widgets import TelInput

from . import phone as phones
from .models import ConsentMethod, ImmigrationStatus, ReferralSource, Urgency
from .services import eligibility
from .services.referrals import ConsentGiven, Referral, current_consent_version

LANGUAGE_ROWS = 4
PRIORITY_RANKS = 3

YES_NO = [("yes", pgettext_lazy("answer", "Yes")), ("no", pgettext_lazy("answer", "No"))]

# On the public form: the same statuses without program jargon.
PLAIN_STATUSES = [
    (ImmigrationStatus.GAR, _("Refugee brought to Canada by the government")),
    (ImmigrationStatus.JAS, _("Refugee brought by the government with a sponsor group")),
    (ImmigrationStatus.BVOR, _("Refugee brought by a private sponsor with government help")),
    (ImmigrationStatus.PROTECTED_PERSON, _("Protected person (refugee claim accepted)")),
    (ImmigrationStatus.CLAIMANT, _("Refugee claimant (waiting for a decision)")),
    (ImmigrationStatus.OTHER, _("Something else, or I am not sure")),
]

STAFF_SOURCES = [
    (ReferralSource.STAFF_PHONE, _("By phone")),
    (ReferralSource.STAFF_EMAIL, _("By email")),
]

DATE_ERRORS = {
    "invalid": _("Enter a real date, for example 2025-03-27."),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "input--date", **(attrs or {})}, format="%Y-%m-%d")


def _date(label, *, required=False, help_text="", required_message=""):
    errors = dict(DATE_ERRORS)
    if required_message:
        errors["required"] = required_message
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput,
        error_messages=errors,
    )


class ReferralForm(ErrorLinksMixin, forms.Form):
    PARTNER, STAFF, SELF = "partner", "staff", "self"

    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose a program."),
            "invalid_choice": _("Choose a program."),
        },
    )
    source = forms.ChoiceField(
        label=_("How did the referral reach you?"),
        choices=STAFF_SOURCES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the referral reached you.")},
    )
    referring_organisation = forms.ModelChoiceField(
        label=_("Referring organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("None: the household contacted us directly"),
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    urgency = forms.ChoiceField(
        label=_("How soon does the household need support?"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.ROUTINE,
        error_messages={"required": _("Choose how soon the household needs support.")},
    )

    head_name = forms.CharField(
        label=_("Full name of the head of household"),
        max_length=200,
        error_messages={"required": _("Enter the name of the head of household.")},
    )
    head_preferred_name = forms.CharField(
        label=_("Name they like to be called"), max_length=100, required=False
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        widget=TelInput,
        help_text=_("Canadian numbers need no country code. Others start with +."),
        error_messages={"required": _("Enter a phone number.")},
    )
    whatsapp = forms.ChoiceField(
        label=_("Do they use WhatsApp on this number?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether they use WhatsApp on this number.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )

    interpreter_needed = forms.ChoiceField(
        label=_("Do they need an interpreter to talk with us?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether they need an interpreter.")},
    )

    immigration_status = forms.ChoiceField(
        label=_("Immigration status"),
        choices=ImmigrationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the household's status.")},
    )
    arrival_date = _date(
        _("Date of arrival in Canada"),
        help_text=_("Needed for every status except refugee claimants."),
    )
    claim_date = _date(
        _("Date of the refugee claim"),
        help_text=_("Needed for refugee claimants."),
    )

    household_size = forms.IntegerField(
        label=_("How many people live in the household?"),
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"class": "input--short", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter how many people live in the household."),
            "invalid": _("Enter a number, like 4."),
            "min_value": _("Enter a number from 1 to 30."),
            "max_value": _("Enter a number from 1 to 30."),
        },
    )
    composition = forms.CharField(
        label=_("Who is in the household?"),
        required=False,
        max_length=2000,
        help_text=_("For example: a mother, a grandmother and two children aged 4 and 9."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        error_messages={"required": _("Enter the city where the household lives.")},
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        empty_label=_("Choose a region"),
        error_messages={"required": _("Choose a region."), "invalid_choice": _("Choose a region.")},
    )

    priority_notes = forms.CharField(
        label=_("Anything to add about these priorities?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    consent_obtained_by = forms.CharField(
        label=_("Who obtained the consent?"),
        max_length=200,
        error_messages={"required": _("Enter who obtained the consent.")},
    )
    consent_date = _date(
        _("When was the consent given?"),
        required=True,
        required_message=_("Enter the date the consent was given."),
    )
    consent_method = forms.ChoiceField(
        label=_("How was the consent given?"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the consent was given.")},
    )
    consent_language = forms.CharField(
        label=_("In which language was the consent given?"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"list": "language-options", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the language of the consent.")},
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, required=False)
    consent_confirmed = forms.BooleanField(
        label=_(
            "The head of household agreed to take part in the program and to us keeping the "
            "information on this form."
        ),
        error_messages={"required": _("Confirm that the head of household agreed.")},
    )

    # A honeypot on the public form: hidden from people, filled in by spam robots.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, mode: str, user=None, programs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode, self.user = mode, user
        self.consent_text_version = current_consent_version()
        # ``programs``: a queryset of the programs this person may refer to.
        self.fields["program"].queryset = programs
        offered = list(programs)
        if len(offered) == 1:
            self.fields["program"].widget = forms.HiddenInput()
            self.fields["program"].initial = offered[0].pk
        self.fields["region"].queryset = (
            Region.objects.filter(programs__in=[p.pk for p in offered]).distinct().order_by("name")
        )
        for row in range(1, LANGUAGE_ROWS + 1):
            self.fields[f"language_{row}"] = forms.CharField(
                label=_("Language %(n)s") % {"n": row},
                max_length=100,
                required=False,
                widget=forms.TextInput(
                    attrs={"list": "language-options", "autocomplete": "off", "spellcheck": "false"}
                ),
            )
        choices = [("", _("Choose a priority")), *IntegrationPriority.choices]
        rank_labels = [_("1st choice"), _("2nd choice"), _("3rd choice")]
        for rank in range(1, PRIORITY_RANKS + 1):
            self.fields[f"priority_{rank}"] = forms.ChoiceField(
                label=rank_labels[rank - 1],
                choices=choices,
                required=rank == 1,
                error_messages={"required": _("Choose the household's most important priority.")},
            )
        if mode == self.STAFF:
            self.fields["referring_organisation"].queryset = Organisation.objects.filter(
                kind=Organisation.Kind.PARTNER, is_active=True
            ).order_by("name")
        else:
            del self.fields["source"], self.fields["referring_organisation"]
        if mode == self.SELF:
            self._plain_words()
        else:
            del self.fields["website"]
            if user is not None and not self.is_bound:
                self.initial.setdefault("consent_obtained_by", user.full_name)
            self.initial.setdefault("consent_date", timezone.localdate())
        self.initial.setdefault("consent_version", self.consent_text_version)
        self.fields["phone"].widget.attrs.update({"autocomplete": "off"})

    def _plain_words(self):
        """The public form speaks to the person themselves, without program jargon."""
        for name in ("consent_obtained_by", "consent_date", "consent_method", "consent_language"):
            del self.fields[name]
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        labels = {
            "head_name": _("Your full name"),
            "head_preferred_name": _("What should we call you?"),
            "phone": _("Your phone number"),
            "whatsapp": _("Do you use WhatsApp on this number?"),
            "email": _("Your email address"),
            "interpreter_needed": _("Do you need an interpreter to talk with us?"),
            "immigration_status": _("What is your situation in Canada?"),
            "arrival_date": _("When did you arrive in Canada?"),
            "claim_date": _("When did you make your refugee claim?"),
            "household_size": _("How many people live with you, counting yourself?"),
            "composition": _("Who lives with you?"),
            "city": _("Which city do you live in?"),
            "region": _("Which region do you live in?"),
            "urgency": _("How soon do you need support?"),
            "priority_notes": _("Anything to add?"),
            "consent_confirmed": _(
                "I agree to take part and for the program to keep what I wrote on this form."
            ),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["immigration_status"].choices = PLAIN_STATUSES
        self.fields["arrival_date"].help_text = _(
            "If you do not know the exact day, choose the 1st."
        )
        self.fields["claim_date"].help_text = _("Only if you made a refugee claim.")
        self.fields["composition"].help_text = _("For example: my wife and our two children.")
        self.fields["consent_confirmed"].error_messages["required"] = _(
            "Tick the box to say you agree. We cannot help you without it."
        )

    # Groups of the page ------------------------------------------------------------------

    def language_fields(self):
        return [self[f"language_{row}"] for row in range(1, LANGUAGE_ROWS + 1)]

    def priority_fields(self):
        return [self[f"priority_{rank}"] for rank in range(1, PRIORITY_RANKS + 1)]

    def program_is_hidden(self) -> bool:
        return self.fields["program"].widget.is_hidden

    # Cleaning ------------------------------------------------------------------------------

    def clean_phone(self):
        typed = self.cleaned_data["phone"]
        try:
            return phones.normalise(typed)
        except phones.InvalidPhoneNumber:
            raise forms.ValidationError(
                _("Enter a phone number like 416 555 0123, or +44 20 7946 0958.")
            ) from None

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_consent_language(self):
        typed = self.cleaned_data["consent_language"]
        code = languages.find(typed)
        if code is None:
            raise forms.ValidationError(
                _("We do not know the language “%(name)s”. Choose a language from the list.")
                % {"name": typed}
            )
        return code

    def clean_consent_date(self):
        day = self.cleaned_data["consent_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The consent date cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        self._clean_languages(data)
        self._clean_priorities(data)
        self._clean_dates(data)
        posted_version = data.get("consent_version") or self.consent_text_version
        if posted_version != self.consent_text_version:
            self.add_error(
                None,
                _(
                    "The consent text changed to version %(version)s while you were filling in "
                    "this form. Check that the household agreed to this version."
                )
                % {"version": self.consent_text_version},
            )
            data["consent_version"] = self.consent_text_version
        return data

    def _clean_languages(self, data):
        codes = []
        for row in range(1, LANGUAGE_ROWS + 1):
            name = f"language_{row}"
            typed = (data.get(name) or "").strip()
            if not typed:
                continue
            code = languages.find(typed)
            if code is None:
                self.add_error(
                    name,
                    _("We do not know the language “%(name)s”. Choose a language from the list.")
                    % {"name": typed},
                )
            elif code in codes:
                self.add_error(
                    name,
                    _("%(name)s is already in the list.") % {"name": languages.language_name(code)},
                )
            else:
                codes.append(code)
        if not codes and not any(
            self.has_error(f"language_{r}") for r in range(1, LANGUAGE_ROWS + 1)
        ):
            message = (
                _("Add at least one language you speak.")
                if self.mode == self.SELF
                else _("Add at least one language the household speaks.")
            )
            self.add_error("language_1", message)
        data["languages"] = codes

    def _clean_priorities(self, data):
        chosen = []
        labels = dict(IntegrationPriority.choices)
        for rank in range(1, PRIORITY_RANKS + 1):
            value = data.get(f"priority_{rank}")
            if not value:
                continue
            if value in chosen:
                self.add_error(
                    f"priority_{rank}",
                    _("%(name)s is already chosen. Choose a different priority or leave it empty.")
                    % {"name": labels[value]},
                )
            else:
                chosen.append(value)
        data["priorities"] = chosen

    def _clean_dates(self, data):
        status = data.get("immigration_status")
        if not status or self.has_error("arrival_date") or self.has_error("claim_date"):
            return
        program = data.get("program")
        anchor = eligibility.required_anchor(program, status) if program else None
        try:
            eligibility.check_dates(
                immigration_status=status,
                arrival_date=data.get("arrival_date"),
                claim_date=data.get("claim_date"),
                referral_date=timezone.localdate(),
                anchor=anchor,
            )
        except forms.ValidationError as exc:
            for name, errors in exc.error_dict.items():
                self.add_error(name, errors)

    # Storage and results -------------------------------------------------------------------

    def to_storage(self) -> dict:
        """What the person typed, as posted (so the form can show it again)."""
        return {
            name: self.data.get(name, "")
            for name in self.fields
            if name not in ("website", "consent_version")
        } | {"consent_version": self.consent_text_version}

    def referral(self, *, organisation=None) -> Referral:
        data = self.cleaned_data
        if self.mode == self.SELF:
            from django.utils import translation

            consent = ConsentGiven(
                obtained_by_name="",
                date=timezone.localdate(),
                method=ConsentMethod.WRITTEN,
                language=(translation.get_language() or "en").split("-")[0],
                version=self.consent_text_version,
            )
            source = ReferralSource.SELF
        else:
            consent = ConsentGiven(
                obtained_by_name=data["consent_obtained_by"],
                date=data["consent_date"],
                method=data["consent_method"],
                language=data["consent_language"],
                version=self.consent_text_version,
            )
            if self.mode == self.STAFF:
                source = data["source"]
                organisation = data.get("referring_organisation")
            else:
                source = ReferralSource.PARTNER
        return Referral(
            program=data["program"],
            region=data["region"],
            source=source,
            referring_organisation=organisation,
            head_name=data["head_name"],
            head_preferred_name=data["head_preferred_name"],
            phone=data["phone"],
            whatsapp=data["whatsapp"] == "yes",
            email=data["email"],
            languages=data["languages"],
            interpreter_needed=data["interpreter_needed"] == "yes",
            immigration_status=data["immigration_status"],
            arrival_date=data.get("arrival_date"),
            claim_date=data.get("claim_date"),
            household_size=data["household_size"],
            composition=data["composition"],
            city=data["city"],
            priorities=data["priorities"],
            priority_notes=data["priority_notes"],
            urgency=data["urgency"],
            consent=consent,
        )

    def summary_sections(self) -> list[tuple[str, list[tuple[str, list[str], str]]]]:
        """(section, [(question, lines, field to link to)]) for the check page."""
        data = self.cleaned_data
        not_given = str(_("Not given"))
        yes_no = dict(YES_NO)

        def label(name):
            return str(self.fields[name].label)

        def day(value):
            return formats.date_format(value, "j F Y") if value else not_given

        referral = []
        if not self.program_is_hidden():
            referral.append((label("program"), [data["program"].name], "program"))
        if self.mode == self.STAFF:
            referral.append((label("source"), [str(dict(STAFF_SOURCES)[data["source"]])], "source"))
            organisation = data.get("referring_organisation")
            referral.append(
                (
                    label("referring_organisation"),
                    [organisation.name if organisation else str(_("None"))],
                    "referring_organisation",
                )
            )
        referral.append((label("urgency"), [str(Urgency(data["urgency"]).label)], "urgency"))
        statuses = dict(self.fields["immigration_status"].choices)
        priorities = dict(IntegrationPriority.choices)
        sections = [
            (
                _("Head of household") if self.mode != self.SELF else _("About you"),
                [
                    (label("head_name"), [data["head_name"]], "head_name"),
                    (
                        label("head_preferred_name"),
                        [data["head_preferred_name"] or not_given],
                        "head_preferred_name",
                    ),
                    (label("phone"), [phones.display(data["phone"])], "phone"),
                    (label("whatsapp"), [str(yes_no[data["whatsapp"]])], "whatsapp"),
                    (label("email"), [data["email"] or not_given], "email"),
                ],
            ),
            (
                _("Languages"),
                [
                    (
                        _("Languages"),
                        [languages.language_name(code) for code in data["languages"]],
                        "language_1",
                    ),
                    (
                        label("interpreter_needed"),
                        [str(yes_no[data["interpreter_needed"]])],
                        "interpreter_needed",
                    ),
                ],
            ),
            (
                _("Status in Canada"),
                [
                    (
                        label("immigration_status"),
                        [str(statuses[data["immigration_status"]])],
                        "immigration_status",
                    ),
                    (label("arrival_date"), [day(data.get("arrival_date"))], "arrival_date"),
                    (label("claim_date"), [day(data.get("claim_date"))], "claim_date"),
                ],
            ),
            (
                _("The household"),
                [
                    (label("household_size"), [str(data["household_size"])], "household_size"),
                    (label("composition"), [data["composition"] or not_given], "composition"),
                    (label("city"), [data["city"]], "city"),
                    (label("region"), [data["region"].name], "region"),
                ],
            ),
            (
                _("Integration priorities"),
                [
                    (
                        _("Priorities, most important first"),
                        [
                            f"{n}. {priorities[p]}"
                            for n, p in enumerate(data["priorities"], start=1)
                        ],
                        "priority_1",
                    ),
                    (
                        label("priority_notes"),
                        [data["priority_notes"] or not_given],
                        "priority_notes",
                    ),
                ],
            ),
            (_("The referral"), referral),
        ]
        if self.mode != self.SELF:
            sections.append(
                (
                    _("Consent"),
                    [
                        (
                            label("consent_obtained_by"),
                            [data["consent_obtained_by"]],
                            "consent_obtained_by",
                        ),
                        (label("consent_date"), [day(data["consent_date"])], "consent_date"),
                        (
                            label("consent_method"),
                            [str(ConsentMethod(data["consent_method"]).label)],
                            "consent_method",
                        ),
                        (
                            label("consent_language"),
                            [languages.language_name(data["consent_language"])],
                            "consent_language",
                        ),
                        (
                            _("Consent text version"),
                            [self.consent_text_version],
                            "consent_confirmed",
                        ),
                    ],
                )
            )
        return [
            (title, [(q, lines, self.anchor(name)) for q, lines, name in rows])
            for title, rows in sections
        ]
