"""The question pages of the public volunteer application, one form per page.

Each form stores its answers in the draft as the browser would post them (``to_storage``), so
the same form re-validates them at the end (``bind_stored``) and shows them again when the
person goes back (``initial_from_storage``).
"""

from __future__ import annotations

import re
from datetime import datetime

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accueil.accounts.models import Program, Region
from accueil.core import languages
from accueil.core.forms import FSA, FULL_POSTAL_CODE, ErrorLinksMixin
from accueil.core.taxonomy import DAYS, PERIODS, SLOTS, Gender, IntegrationPriority, slot_label
from accueil.core.widgets import TelInput

from .models import LanguageLevel
from .services.application import (
    CONSENT_VERSION,
    STEPS,
    ApplicationAnswers,
    invite_code_group,
    normalize_invite_code,
)

LANGUAGE_ROWS = 6

PHONE_CHARACTERS = re.compile(r"^[0-9+()\-. ]+$")

YES_NO = [("yes", pgettext_lazy("answer", "Yes")), ("no", pgettext_lazy("answer", "No"))]


class StepForm(ErrorLinksMixin, forms.Form):
    """What every question page shares: storage in the draft, and answers for the check
    page."""

    def __init__(self, *args, answers: dict | None = None, **kwargs):
        # ``answers``: the whole draft, for questions that depend on earlier ones.
        self.answers = answers or {}
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from_storage(cls, stored: dict) -> dict:
        return dict(stored)

    @classmethod
    def bind_stored(cls, stored: dict, answers: dict) -> StepForm:
        return cls(data=dict(stored), answers=answers)

    def to_storage(self) -> dict:
        """The cleaned answers as the browser would post them."""
        stored = {}
        for name, bound in self.fields.items():
            if name == "website":
                continue
            value = self.cleaned_data.get(name)
            if isinstance(bound, forms.ModelChoiceField):
                stored[name] = str(value.pk) if value is not None else ""
            elif isinstance(value, (list, tuple)):
                stored[name] = [str(v) for v in value]
            elif isinstance(value, bool):
                stored[name] = "on" if value else ""
            else:
                stored[name] = "" if value is None else str(value)
        return stored

    def answer_fields(self) -> dict:
        """Typed values for ApplicationAnswers."""
        return {}

    def summary_rows(self) -> list[tuple[str, list[str], str]]:
        """(question, lines of the answer, field to link to) for the check page."""
        return []


class AboutForm(StepForm):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name.")},
    )
    preferred_name = forms.CharField(
        label=_("What should we call you?"),
        max_length=100,
        required=False,
        help_text=_("For example, a short name or a nickname."),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We will send you a link to continue your application later."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=TelInput,
        help_text=_("A coordinator may call you about your application."),
    )
    program = forms.ModelChoiceField(
        label=_("Which program do you want to join?"),
        queryset=Program.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose a program."),
            "invalid_choice": _("Choose a program."),
        },
    )
    region = forms.ModelChoiceField(
        label=_("Where do you live?"),
        queryset=Region.objects.none(),
        empty_label=_("Choose your region"),
        error_messages={
            "required": _("Choose your region."),
            "invalid_choice": _("Choose your region."),
        },
    )
    # A honeypot: hidden from people (and from screen readers), filled in by spam robots.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programs = Program.objects.filter(is_active=True).order_by("name")
        self.fields["program"].queryset = programs
        self.fields["region"].queryset = (
            Region.objects.filter(programs__in=programs).distinct().order_by("name")
        )
        if len(programs) == 1 and not self.is_bound and not self.initial.get("program"):
            self.initial["program"] = programs[0].pk
        attrs = {
            "full_name": {"autocomplete": "name", "spellcheck": "false"},
            "preferred_name": {"autocomplete": "nickname", "spellcheck": "false"},
            "email": {"autocomplete": "email", "spellcheck": "false"},
            "phone": {"autocomplete": "tel"},
            "website": {"autocomplete": "off", "tabindex": "-1"},
        }
        for name, extra in attrs.items():
            self.fields[name].widget.attrs.update(extra)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and (
            not PHONE_CHARACTERS.match(phone) or not 10 <= sum(c.isdigit() for c in phone) <= 15
        ):
            raise forms.ValidationError(_("Enter a phone number like 416 555 0123."))
        return phone

    def clean(self):
        data = super().clean()
        program, region = data.get("program"), data.get("region")
        if program and region and not program.regions.filter(pk=region.pk).exists():
            self.add_error(
                "region",
                _("%(program)s does not run in %(region)s yet. Choose another region or program.")
                % {"program": program.short_name or program.name, "region": region.name},
            )
        return data

    def answer_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "preferred_name": data["preferred_name"],
            "email": data["email"],
            "phone": data["phone"],
            "program": data["program"],
            "region": data["region"],
        }

    def summary_rows(self):
        data = self.cleaned_data
        return [
            (_("Full name"), [data["full_name"]], "full_name"),
            (_("What we call you"), [data["preferred_name"] or _("Not given")], "preferred_name"),
            (_("Email address"), [data["email"]], "email"),
            (_("Phone number"), [data["phone"] or _("Not given")], "phone"),
            (_("Program"), [data["program"].name], "program"),
            (_("Region"), [data["region"].name], "region"),
        ]


class GenderForm(StepForm):
    gender = forms.ChoiceField(
        label=_("What is your gender?"),
        help_text=_(
            "You do not have to answer. Some families ask for a group of women only: we use "
            "your answer only for that. Only program staff see it."
        ),
        choices=Gender.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def answer_fields(self) -> dict:
        return {"gender": self.cleaned_data["gender"]}

    def summary_rows(self):
        label = dict(Gender.choices).get(self.cleaned_data["gender"], "")
        return [(_("Gender"), [str(label)], "gender")]


class LanguagesForm(StepForm):
    """Up to six languages, each typed with suggestions from a list (a plain ``<datalist>``:
    keyboard-friendly, no script), with a level. Empty rows are ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = [("", _("Choose a level")), *LanguageLevel.choices]
        for row in range(1, LANGUAGE_ROWS + 1):
            self.fields[f"language_{row}"] = forms.CharField(
                label=_("Language"),
                max_length=100,
                required=False,
                widget=forms.TextInput(
                    attrs={"list": "language-options", "autocomplete": "off", "spellcheck": "false"}
                ),
            )
            self.fields[f"level_{row}"] = forms.ChoiceField(
                label=_("How well do you speak it?"), choices=levels, required=False
            )
        self.codes: list[tuple[str, str]] = []

    @classmethod
    def initial_from_storage(cls, stored: dict) -> dict:
        initial = dict(stored)
        for row in range(1, LANGUAGE_ROWS + 1):
            code = stored.get(f"language_{row}")
            if code:
                initial[f"language_{row}"] = languages.language_name(code)
        return initial

    def rows(self):
        return [
            (row, self[f"language_{row}"], self[f"level_{row}"])
            for row in range(1, LANGUAGE_ROWS + 1)
        ]

    def extra_rows_open(self) -> bool:
        """Show rows 4 to 6 when they hold something (or an error)."""
        for row in range(4, LANGUAGE_ROWS + 1):
            for name in (f"language_{row}", f"level_{row}"):
                if self[name].value() or self[name].errors:
                    return True
        return False

    def clean(self):
        data = super().clean()
        seen: dict[str, int] = {}
        self.codes = []
        for row in range(1, LANGUAGE_ROWS + 1):
            typed = (data.get(f"language_{row}") or "").strip()
            level = data.get(f"level_{row}") or ""
            if not typed:
                continue  # an empty row, even with a level chosen, means nothing
            code = languages.find(typed)
            if code is None:
                self.add_error(
                    f"language_{row}",
                    _(
                        "We do not know the language “%(name)s”. Check the spelling, or choose "
                        "a language from the list."
                    )
                    % {"name": typed},
                )
                continue
            name = languages.language_name(code)
            if code in seen:
                self.add_error(
                    f"language_{row}",
                    _("You already added %(name)s. Remove it from one of the rows.")
                    % {"name": name},
                )
                continue
            seen[code] = row
            if not level:
                self.add_error(
                    f"level_{row}", _("Choose how well you speak %(name)s.") % {"name": name}
                )
                continue
            self.codes.append((code, level))
        if not seen and not self.errors:
            self.add_error("language_1", _("Add at least one language you speak."))
        return data

    def to_storage(self) -> dict:
        stored = {}
        for row, (code, level) in enumerate(self.codes, start=1):
            stored[f"language_{row}"] = code
            stored[f"level_{row}"] = level
        return stored

    def answer_fields(self) -> dict:
        return {"languages": list(self.codes)}

    def summary_rows(self):
        levels = dict(LanguageLevel.choices)
        lines = [f"{languages.language_name(code)}: {levels[level]}" for code, level in self.codes]
        return [(_("Languages"), lines, "language_1")]


class SkillsForm(StepForm):
    skills = forms.MultipleChoiceField(
        label=_("How would you like to help?"),
        help_text=_("Choose all that apply. We look for families who need this kind of help."),
        choices=IntegrationPriority.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way you would like to help.")},
    )

    def answer_fields(self) -> dict:
        return {"skills": self.cleaned_data["skills"]}

    def summary_rows(self):
        labels = dict(IntegrationPriority.choices)
        return [
            (
                _("How you would like to help"),
                [str(labels[s]) for s in self.cleaned_data["skills"]],
                "skills",
            )
        ]


class AvailabilityForm(StepForm):
    availability = forms.MultipleChoiceField(
        label=_("When are you usually free?"),
        help_text=_("Tick every time of the week that usually works for you."),
        choices=[(slot, slot) for slot in SLOTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one time when you are usually free.")},
    )

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

    def clean_availability(self):
        chosen = set(self.cleaned_data["availability"])
        return [slot for slot in SLOTS if slot in chosen]

    def answer_fields(self) -> dict:
        return {"availability": self.cleaned_data["availability"]}

    def summary_rows(self):
        return [
            (
                _("When you are free"),
                [slot_label(s) for s in self.cleaned_data["availability"]],
                "availability",
            )
        ]


class LocationForm(StepForm):
    postal_prefix = forms.CharField(
        label=_("The first 3 characters of your postal code"),
        help_text=_("For example, M5V. We do not need your full address."),
        max_length=10,
        error_messages={"required": _("Enter the first 3 characters of your postal code.")},
    )
    in_person = forms.ChoiceField(
        label=_("Could you meet the family in person sometimes?"),
        help_text=_("Most support happens by phone and video. Some families like to meet too."),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    heard_from = forms.CharField(
        label=_("How did you hear about us?"),
        help_text=_("For example, a friend, a newspaper or a social media post."),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postal_prefix"].widget.attrs.update(
            {"autocomplete": "postal-code", "spellcheck": "false", "class": "input--short"}
        )

    def clean_postal_prefix(self):
        value = "".join(self.cleaned_data["postal_prefix"].split()).upper()
        if FULL_POSTAL_CODE.match(value):
            value = value[:3]  # a whole postal code is more than we keep
        if not FSA.match(value):
            raise forms.ValidationError(
                _("Enter the first 3 characters of a Canadian postal code, like M5V.")
            )
        return value

    def answer_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "postal_prefix": data["postal_prefix"],
            "in_person": data["in_person"] == "yes",
            "heard_from": data["heard_from"],
        }

    def summary_rows(self):
        data = self.cleaned_data
        return [
            (_("Postal code"), [data["postal_prefix"]], "postal_prefix"),
            (_("Meeting in person"), [str(dict(YES_NO)[data["in_person"]])], "in_person"),
            (_("How you heard about us"), [data["heard_from"] or _("Not given")], "heard_from"),
        ]


class GroupForm(StepForm):
    invite_code = forms.CharField(
        label=_("Do you have a group invite code?"),
        help_text=_(
            "If friends invited you to apply with them, type the code they gave you. "
            "If you are applying alone, leave this empty."
        ),
        max_length=20,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invite_code"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "class": "input--short"}
        )

    def clean_invite_code(self):
        code = normalize_invite_code(self.cleaned_data["invite_code"])
        if not code:
            return ""
        group = invite_code_group(code)
        if group is None:
            raise forms.ValidationError(
                _(
                    "We cannot find a group with this code. Check the code with your friends, or leave it empty."
                )
            )
        program = (self.answers.get("about") or {}).get("program")
        if program and str(group.program_id) != str(program):
            raise forms.ValidationError(
                _(
                    "This code is for a group in another program. Check the code with your friends, or change your program."
                )
            )
        return code

    def answer_fields(self) -> dict:
        return {"invite_code": self.cleaned_data["invite_code"]}

    def summary_rows(self):
        code = self.cleaned_data["invite_code"]
        return [(_("Group invite code"), [code or _("None: I am applying alone")], "invite_code")]


class MotivationForm(StepForm):
    motivation = forms.CharField(
        label=_("Why do you want to volunteer with us?"),
        help_text=_("A few sentences are enough."),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Tell us in a few words why you want to volunteer.")},
    )

    def answer_fields(self) -> dict:
        return {"motivation": self.cleaned_data["motivation"]}

    def summary_rows(self):
        return [(_("Why you want to volunteer"), [self.cleaned_data["motivation"]], "motivation")]


class ReferencesForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in (1, 2):
            self.fields[f"ref{number}_name"] = forms.CharField(
                label=_("Full name"),
                max_length=200,
                error_messages={"required": _("Enter the name of person %(n)s.") % {"n": number}},
            )
            self.fields[f"ref{number}_email"] = forms.EmailField(
                label=_("Email address"),
                error_messages={
                    "required": _("Enter the email address of person %(n)s.") % {"n": number},
                    "invalid": _("Enter an email address like name@example.com."),
                },
            )
            self.fields[f"ref{number}_relation"] = forms.CharField(
                label=_("How do they know you?"),
                help_text=_("For example, manager, teacher, neighbour or friend."),
                max_length=200,
                error_messages={
                    "required": _("Tell us how person %(n)s knows you.") % {"n": number}
                },
            )
            self.fields[f"ref{number}_email"].widget.attrs["spellcheck"] = "false"

    def people(self):
        return [
            (number, [self[f"ref{number}_{part}"] for part in ("name", "email", "relation")])
            for number in (1, 2)
        ]

    def clean(self):
        data = super().clean()
        applicant = ((self.answers.get("about") or {}).get("email") or "").lower()
        emails = []
        for number in (1, 2):
            email = (data.get(f"ref{number}_email") or "").strip().lower()
            if not email:
                continue
            data[f"ref{number}_email"] = email
            if email == applicant:
                self.add_error(
                    f"ref{number}_email",
                    _("Give the email address of someone else, not your own."),
                )
            elif email in emails:
                self.add_error(
                    f"ref{number}_email",
                    _("Give a different email address for each person."),
                )
            emails.append(email)
        return data

    def answer_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "references": [
                {
                    "name": data[f"ref{n}_name"],
                    "email": data[f"ref{n}_email"],
                    "relation": data[f"ref{n}_relation"],
                }
                for n in (1, 2)
            ]
        }

    def summary_rows(self):
        data = self.cleaned_data
        return [
            (
                _("Reference %(n)s") % {"n": n},
                [data[f"ref{n}_name"], data[f"ref{n}_relation"], data[f"ref{n}_email"]],
                f"ref{n}_name",
            )
            for n in (1, 2)
        ]


class ConsentForm(StepForm):
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice. I agree that the program checks my application "
            "as it explains."
        ),
        error_messages={
            "required": _("Tick the box to agree. Without it we cannot check your application.")
        },
    )

    def to_storage(self) -> dict:
        return {"consent": "on", "version": CONSENT_VERSION, "at": timezone.now().isoformat()}

    @classmethod
    def initial_from_storage(cls, stored: dict) -> dict:
        # Agreement to an older notice does not count: the box starts empty again.
        return {"consent": stored.get("version") == CONSENT_VERSION}

    @classmethod
    def bind_stored(cls, stored: dict, answers: dict) -> StepForm:
        form = cls(
            data={"consent": "on"} if stored.get("version") == CONSENT_VERSION else {},
            answers=answers,
        )
        form.stored = stored
        return form

    def answer_fields(self) -> dict:
        stored = getattr(self, "stored", None) or self.to_storage()
        return {
            "consent_version": stored["version"],
            "consented_at": datetime.fromisoformat(stored["at"]),
        }

    def summary_rows(self):
        return [
            (
                _("Privacy and screening"),
                [_("You agreed (privacy notice version %(v)s)") % {"v": CONSENT_VERSION}],
                "consent",
            )
        ]


STEP_FORMS: dict[str, type[StepForm]] = {
    "about": AboutForm,
    "gender": GenderForm,
    "languages": LanguagesForm,
    "skills": SkillsForm,
    "availability": AvailabilityForm,
    "location": LocationForm,
    "group": GroupForm,
    "motivation": MotivationForm,
    "references": ReferencesForm,
    "consent": ConsentForm,
}
assert list(STEP_FORMS) == STEPS


def validate_answers(answers: dict) -> tuple[ApplicationAnswers | None, list, str | None]:
    """Run every stored answer through its form again.

    Returns (the parsed application, the bound forms in order, None) when all is well, or
    (None, forms so far, the first step that needs attention)."""
    fields: dict = {}
    bound = []
    for step, form_class in STEP_FORMS.items():
        stored = answers.get(step)
        if stored is None:
            return None, bound, step
        form = form_class.bind_stored(stored, answers)
        if not form.is_valid():
            return None, bound, step
        bound.append((step, form))
        fields.update(form.answer_fields())
    return ApplicationAnswers(**fields), bound, None


class SubmitForm(ErrorLinksMixin, forms.Form):
    """The check page's button. No fields: it carries what the submission refused, for the
    error summary."""


class SetPasswordForm(ErrorLinksMixin, forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few unrelated words make a strong password."),
        error_messages={"required": _("Choose a password.")},
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password again.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
