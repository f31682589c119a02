"""Staff forms for households: search, profile, members, the onboarding call, consent and the
waitlist. Forms parse and validate; the services decide."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.accounts.models import Region
from accueil.core import languages
from accueil.core.forms import FSA, FULL_POSTAL_CODE
from accueil.core.taxonomy import DAYS, PERIODS, SLOTS, Gender, IntegrationPriority, slot_label
from accueil.core.widgets import DateInput, DateTimeInput

from .models import ConsentMethod, ConsentPurpose, Household, HouseholdMember, MeetingMode
from .services.consent import CONSENT_VERSION, consent_versions
from .services.households import CHANNELS, phone_e164
from .services.onboarding import CHECKLIST, interpreter_select_choices


def _language_codes(text: str) -> tuple[list[str], list[str]]:
    """Codes for a comma-separated list of language names; and the names not understood."""
    codes, unknown = [], []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        code = languages.find(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def _language_names(codes) -> str:
    return ", ".join(languages.language_name(code) for code in codes or [])


class PhoneSearchForm(forms.Form):
    phone = forms.CharField(
        label=_("Find by phone number"),
        help_text=_("The whole number, for example 416 555 0123."),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def clean_phone(self):
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        e164 = phone_e164(text)
        if e164 is None:
            raise forms.ValidationError(
                _("Enter a whole phone number, like 416 555 0123 or +961 3 123 456.")
            )
        return e164


class ProfileForm(forms.ModelForm):
    priority_1 = forms.ChoiceField(label=_("Most important"), required=False)
    priority_2 = forms.ChoiceField(label=_("Second"), required=False)
    priority_3 = forms.ChoiceField(label=_("Third"), required=False)
    availability = forms.MultipleChoiceField(
        label=_("When is the household usually free?"),
        choices=[(slot, slot) for slot in SLOTS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Wider than the 3 characters kept: a whole postal code is accepted and cut.
    postal_prefix = forms.CharField(
        label=_("First 3 characters of the postal code"),
        help_text=_("For example, M5V."),
        max_length=10,
        required=False,
    )
    channels = forms.MultipleChoiceField(
        label=_("Ways to keep in touch"),
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Household
        fields = [
            "priority_notes",
            "device_access",
            "women_only",
            "meeting_mode",
            "region",
            "postal_prefix",
            "accessibility_needs",
            "shared_profile",
            "staff_notes",
        ]
        labels = {
            "priority_notes": _("About these priorities"),
            "device_access": _("Devices and internet"),
            "women_only": _("The household asks for a women-only group"),
            "meeting_mode": _("Meetings"),
            "region": _("Region"),
            "accessibility_needs": _("Accessibility needs"),
            "shared_profile": _("Shared profile"),
            "staff_notes": _("Staff-only notes"),
        }
        help_texts = {
            "priority_notes": _("In the household's words where you can."),
            "device_access": _("For example: one smartphone shared by the family, no computer."),
            "accessibility_needs": _(
                "For example: large print, hearing loss, a wheelchair, "
                "or calls only in the evening."
            ),
            "shared_profile": _(
                "Plain words the matched volunteers will read: who the family is, what they "
                "hope for, what they enjoy. No immigration details, no health details, "
                "no addresses or phone numbers."
            ),
            "staff_notes": _("Only staff can read these. Never shown to volunteers."),
        }
        widgets = {
            "priority_notes": forms.Textarea(attrs={"rows": 3}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 3}),
            "shared_profile": forms.Textarea(attrs={"rows": 6}),
            "staff_notes": forms.Textarea(attrs={"rows": 4}),
            "meeting_mode": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        household = self.instance
        priority_choices = [("", _("Choose a priority")), *IntegrationPriority.choices]
        ranked = list(household.priorities or [])
        for rank in (1, 2, 3):
            field = self.fields[f"priority_{rank}"]
            field.choices = priority_choices
            if len(ranked) >= rank:
                self.initial.setdefault(f"priority_{rank}", ranked[rank - 1])
        self.initial.setdefault("availability", list(household.availability or []))
        self.initial.setdefault("channels", list(household.channels or []))
        self.fields["region"].queryset = (
            Region.objects.filter(Q(programs=household.program) | Q(pk=household.region_id))
            .distinct()
            .order_by("name")
        )
        self.fields["region"].empty_label = None
        self.fields["meeting_mode"].choices = MeetingMode.choices
        self.fields["postal_prefix"].widget.attrs.update(
            {"spellcheck": "false", "class": "input--short"}
        )

    def clean_postal_prefix(self):
        value = "".join(self.cleaned_data["postal_prefix"].split()).upper()
        if not value:
            return ""
        if FULL_POSTAL_CODE.match(value):
            value = value[:3]  # a whole postal code is more than we keep
        if not FSA.match(value):
            raise forms.ValidationError(
                _("Enter the first 3 characters of a Canadian postal code, like M5V.")
            )
        return value

    def clean_availability(self):
        chosen = set(self.cleaned_data["availability"])
        return [slot for slot in SLOTS if slot in chosen]

    def clean(self):
        data = super().clean()
        ranked = [data.get(f"priority_{rank}") for rank in (1, 2, 3)]
        chosen = [code for code in ranked if code]
        if len(set(chosen)) != len(chosen):
            self.add_error("priority_2", _("Choose each priority only once."))
        if (ranked[2] and not ranked[1]) or (ranked[1] and not ranked[0]):
            self.add_error(
                "priority_1", _("Fill the priorities in order, the most important first.")
            )
        data["priorities"] = chosen
        return data

    def profile_data(self) -> dict:
        data = self.cleaned_data
        return {
            "priorities": data["priorities"],
            "priority_notes": data["priority_notes"],
            "availability": data["availability"],
            "channels": [code for code, _label in CHANNELS if code in data["channels"]],
            "device_access": data["device_access"],
            "women_only": data["women_only"],
            "meeting_mode": data["meeting_mode"],
            "region": data["region"],
            "postal_prefix": data["postal_prefix"],
            "accessibility_needs": data["accessibility_needs"],
            "shared_profile": data["shared_profile"],
            "staff_notes": data["staff_notes"],
        }

    def grid(self):
        """Rows of the week table: (day, [(checkbox, "Monday morning"), …]) in SLOTS order."""
        boxes = list(self["availability"])
        rows = []
        for index, (_day, day_label) in enumerate(DAYS):
            cells = boxes[index * len(PERIODS) : (index + 1) * len(PERIODS)]
            rows.append((day_label, [(box, slot_label(box.data["value"])) for box in cells]))
        return rows

    def periods(self):
        return [label for _code, label in PERIODS]


class MemberForm(forms.ModelForm):
    languages_text = forms.CharField(
        label=_("Languages"),
        help_text=_("Separate languages with commas, for example: Arabic, English."),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"list": "language-options", "autocomplete": "off"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Gender.choices, required=False, widget=forms.RadioSelect
    )

    class Meta:
        model = HouseholdMember
        fields = ["first_name", "age_band", "gender", "school_or_work", "needs"]
        labels = {
            "first_name": _("First name or alias"),
            "age_band": _("Age"),
            "school_or_work": _("School or work"),
            "needs": _("Needs"),
        }
        help_texts = {
            "first_name": _("A first name or a name the family is happy for us to use."),
            "school_or_work": _("For example: grade 4, looking for work, caring for a baby."),
            "needs": _("Only staff can read this."),
        }
        widgets = {"needs": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "first_name": {"required": _("Enter a first name or alias.")},
            "age_band": {"required": _("Choose an age.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age_band"].choices = [
            ("", _("Choose an age")),
            *HouseholdMember.AgeBand.choices,
        ]
        self.fields["first_name"].widget = forms.TextInput(attrs={"autocomplete": "off"})
        if self.instance.pk:
            self.initial.setdefault("languages_text", _language_names(self.instance.languages))

    def clean_languages_text(self):
        codes, unknown = _language_codes(self.cleaned_data["languages_text"])
        if unknown:
            raise forms.ValidationError(
                _("We do not know the language “%(name)s”. Check the spelling.")
                % {"name": unknown[0]}
            )
        return codes

    def member_data(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"].strip(),
            "age_band": data["age_band"],
            "gender": data["gender"],
            "languages": data["languages_text"],
            "school_or_work": data["school_or_work"],
            "needs": data["needs"],
        }


class InterpreterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Date and time of the call"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("Enter the date and time of the call.")},
    )
    language = forms.CharField(
        label=_("Language of the call"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "language-options", "autocomplete": "off"}),
        error_messages={"required": _("Enter the language of the call.")},
    )
    interpreter = forms.ChoiceField(
        label=_("Interpreter"),
        required=False,
        help_text=_("The interpreter gets an email with the date, time and language."),
    )

    def __init__(self, *args, interpreters: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.interpreters = {str(row["user"].pk): row["user"] for row in interpreters}
        self.fields["interpreter"].choices = interpreter_select_choices(
            interpreters, speaks_title=_("Speak the household's language")
        )

    def clean_language(self):
        code = languages.find(self.cleaned_data["language"])
        if code is None:
            raise forms.ValidationError(
                _("We do not know the language “%(name)s”. Check the spelling.")
                % {"name": self.cleaned_data["language"]}
            )
        return code

    def clean_interpreter(self):
        value = self.cleaned_data["interpreter"]
        return self.interpreters.get(value) if value else None


class CallForm(forms.Form):
    checklist = forms.MultipleChoiceField(
        label=_("Done in the call"),
        choices=CHECKLIST,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    duration_minutes = forms.IntegerField(
        label=_("How long the call took (minutes)"),
        min_value=1,
        max_value=600,
        required=False,
        widget=forms.NumberInput(attrs={"class": "input--short", "inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter the duration as a number of minutes, like 40."),
            "min_value": _("Enter the duration as a number of minutes, like 40."),
            "max_value": _("A call cannot take more than 600 minutes."),
        },
    )
    notes = forms.CharField(
        label=_("Notes from the call"),
        help_text=_("Only staff can read these."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Consent for"),
        choices=ConsentPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the consent is for.")},
    )
    given = forms.ChoiceField(
        label=_("The answer"),
        choices=[("yes", _("Agreed")), ("no", _("Did not agree"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the household's answer.")},
    )
    version = forms.ChoiceField(label=_("Version of the consent text"))
    language = forms.CharField(
        label=_("Language the text was given in"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "language-options", "autocomplete": "off"}),
        error_messages={"required": _("Enter the language the consent was given in.")},
    )
    method = forms.ChoiceField(
        label=_("How"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the consent was given.")},
    )
    obtained_on = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date the consent was given."),
            "invalid": _("Enter a real date, like 2026-11-03."),
        },
    )
    obtained_by_name = forms.CharField(
        label=_("Obtained by"),
        help_text=_("Leave empty if you obtained it yourself."),
        required=False,
        max_length=200,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [(v, v) for v in consent_versions()]
        self.initial.setdefault("version", CONSENT_VERSION)
        self.initial.setdefault("obtained_on", timezone.localdate())

    def clean_language(self):
        code = languages.find(self.cleaned_data["language"])
        if code is None:
            raise forms.ValidationError(
                _("We do not know the language “%(name)s”. Check the spelling.")
                % {"name": self.cleaned_data["language"]}
            )
        return code

    def clean_obtained_on(self):
        day = self.cleaned_data["obtained_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def obtained_at(self) -> datetime:
        day = self.cleaned_data["obtained_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12, 0)))


class PauseForm(forms.Form):
    until = forms.DateField(
        label=_("Paused until"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date the pause ends."),
            "invalid": _("Enter a real date, like 2026-12-01."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("For example: travelling, a new baby, moving house."),
        max_length=200,
        error_messages={"required": _("Give the reason for the pause.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("For example: the family asked to stop, or could not be reached."),
        max_length=200,
        error_messages={"required": _("Give the reason.")},
    )
