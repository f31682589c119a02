"""Forms of the staff survey pages: the list's filters, cancelling, starting a survey by hand,
entering every answer at once (phone, interpreter, paper) and importing a file of answers."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin
from accueil.core.languages import language_name

from .definitions import pick
from .models import AdminStatus, Audience, Mode, Phase
from .selectors import STATUS_FILTERS, language_direction

STATUS_LABELS = {
    "open": _("Open (not sent, sent or started)"),
    "completed": AdminStatus.SUBMITTED.label,
    "expired": AdminStatus.EXPIRED.label,
    "cancelled": AdminStatus.CANCELLED.label,
}
ENTRY_MODES = (Mode.INTERVIEW, Mode.INTERPRETER, Mode.PAPER)


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False)
    program = forms.ModelChoiceField(
        label=_("Program"), required=False, queryset=None, empty_label=_("All programs")
    )
    audience = forms.ChoiceField(label=_("Respondents"), required=False)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status"))] + [
            (key, STATUS_LABELS[key]) for key in STATUS_FILTERS
        ]
        self.fields["phase"].choices = [("", _("Before and after")), *Phase.choices]
        self.fields["program"].queryset = programs
        self.fields["audience"].choices = [
            ("", _("Households and volunteers")),
            (Audience.HOUSEHOLD, Audience.HOUSEHOLD.label),
            (Audience.VOLUNTEER, Audience.VOLUNTEER.label),
        ]


class CancelForm(ErrorLinksMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is the survey cancelled?"),
        help_text=_("Only staff read this. The link stops working."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the survey is cancelled.")},
    )


class NewSurveyForm(ErrorLinksMixin, forms.Form):
    phase = forms.ChoiceField(
        label=_("When is this survey?"),
        choices=Phase.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose before or after the match.")},
    )
    instruments = forms.MultipleChoiceField(
        label=_("Questionnaires"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose questionnaires from the list.")},
    )
    match = forms.ChoiceField(label=_("Which match is it about?"), required=False)

    def __init__(self, *args, instruments, matches, plan_hint: str, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = [
            (i.slug, pick(i.title, language)) for i in instruments
        ]
        self.fields["instruments"].help_text = plan_hint
        self.matches = {str(m.pk): m for m in matches}
        self.fields["match"].choices = [("", _("No match"))] + [
            (str(m.pk), label) for m, label in ((m, _match_label(m)) for m in matches)
        ]
        if not matches:
            del self.fields["match"]

    def clean_match(self):
        value = self.cleaned_data.get("match")
        return self.matches.get(value) if value else None


def _match_label(match) -> str:
    return _("%(group)s, proposed on %(date)s (%(status)s)") % {
        "group": match.group.name,
        "date": date_format(timezone.localtime(match.created_at).date(), "DATE_FORMAT"),
        "status": match.get_status_display(),
    }


class ImportForm(ErrorLinksMixin, forms.Form):
    instrument = forms.ChoiceField(
        label=_("Questionnaire"),
        error_messages={"required": _("Choose the questionnaire the file holds answers to.")},
    )
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=None,
        error_messages={"required": _("Choose the program the respondents belong to.")},
    )
    file = forms.FileField(
        label=_("File of answers (CSV)"),
        help_text=_("UTF-8, at most 2 MB, one row per respondent."),
        error_messages={
            "required": _("Choose a CSV file to import."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, instruments, programs, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = {i.slug: i for i in instruments}
        self.fields["instrument"].choices = [("", _("Choose a questionnaire"))] + [
            (i.slug, pick(i.title, language)) for i in instruments
        ]
        self.fields["program"].queryset = programs
        self.fields["program"].empty_label = _("Choose a program")

    def clean_instrument(self):
        return self.instruments[self.cleaned_data["instrument"]]


# -- entering every answer at once ----------------------------------------------------------


def answer_field_name(response_pk: int, number: int) -> str:
    # The same key administration_enter() names its errors with, so they land on the field.
    return f"r{response_pk}_{number}"


class EnterForm(ErrorLinksMixin, forms.Form):
    """Every item of every response, the language the questions were read in, and how the
    answers were collected. Blank answers are allowed: they count as missing in the scores."""

    language = forms.ChoiceField(
        label=_("Language the questions are read in"),
        error_messages={"required": _("Choose the language the questions are read in.")},
    )
    mode = forms.ChoiceField(
        label=_("How are the answers collected?"),
        widget=forms.RadioSelect,
        choices=[(mode.value, mode.label) for mode in ENTRY_MODES],
        error_messages={"required": _("Choose how the answers were collected.")},
    )
    interpreter = forms.ChoiceField(
        label=_("Interpreter"),
        required=False,
        help_text=_("Needed when the call is through an interpreter."),
    )
    interpreter_name = forms.CharField(
        label=_("Or the interpreter's name, if not in the list"),
        required=False,
        max_length=200,
    )

    def __init__(
        self,
        *args,
        administration,
        responses,
        languages: list[str],
        interpreters,
        staff_language: str,
        for_interpreter: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.responses = responses
        self.staff_language = staff_language
        self.for_interpreter = for_interpreter
        self.fields["language"].choices = [(code, language_name(code)) for code in languages]
        self.interpreters = {str(person.pk): person for person in interpreters}
        self.fields["interpreter"].choices = [("", _("Not in the list"))] + [
            (str(person.pk), person.display_name) for person in interpreters
        ]
        if not interpreters:
            # Nobody to choose from: the page asks only for a name.
            del self.fields["interpreter"]
            self.fields["interpreter_name"].label = _("The interpreter's name")
            self.fields["interpreter_name"].help_text = _(
                "Needed when the call is through an interpreter."
            )
        if for_interpreter:
            # The interpreter is the one entering: the call went through them.
            for name in ("mode", "interpreter", "interpreter_name"):
                self.fields.pop(name, None)
        for response in responses:
            spec = response.instrument.spec
            for item in spec.items:
                self.fields[answer_field_name(response.pk, item.number)] = self._answer_field(
                    spec, item
                )

    def _answer_field(self, spec, item):
        label = f"{item.number}. {item.text_for('en')}"
        if item.kind == "text":
            return forms.CharField(
                label=label, required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
            )
        if item.kind == "integer":
            return forms.IntegerField(
                label=label,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
                error_messages={"invalid": _("Enter a whole number, or leave it blank.")},
            )
        scale = spec.scale_of(item)
        return forms.TypedChoiceField(
            label=label,
            required=False,
            coerce=int,
            empty_value=None,
            choices=[(str(choice.value), str(choice.value)) for choice in scale.choices]
            + [("", _("No answer"))],
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Choose one of the answers offered.")},
        )

    def chosen_language(self) -> str:
        """The language asked for (re-rendering after "show in this language" or an error),
        else the initial one."""
        choices = {code for code, _label in self.fields["language"].choices}
        for value in (
            self.data.get("language") if self.is_bound else None,
            self.initial.get("language"),
        ):
            if value in choices:
                return value
        return next(iter(self.fields["language"].choices), ("en", ""))[0]

    def sections(self) -> list[dict]:
        """For the template: a fieldset per instrument, each item worded in the chosen
        language and, when different, in the staff's language; each choice likewise."""
        language = self.chosen_language()
        staff = self.staff_language
        both = language != staff
        direction = language_direction(language)
        out = []
        for response in self.responses:
            spec = response.instrument.spec
            items = []
            for item in spec.items:
                bound = self[answer_field_name(response.pk, item.number)]
                row = {
                    "item": item,
                    "field": bound,
                    "text": item.text_for(language),
                    "staff_text": item.text_for(staff) if both else "",
                    "choices": [],
                }
                if item.kind == "choice":
                    scale = spec.scale_of(item)
                    for subwidget in bound.subwidgets:
                        value = subwidget.data["value"]
                        if value in ("", None):
                            label, staff_label = str(_("No answer")), ""
                        else:
                            label = scale.label(int(value), language)
                            staff_label = scale.label(int(value), staff) if both else ""
                            if staff_label == label:
                                staff_label = ""
                        row["choices"].append(
                            {"widget": subwidget, "label": label, "staff_label": staff_label}
                        )
                items.append(row)
            out.append(
                {
                    "response": response,
                    "title": spec.title_for(language),
                    "staff_title": spec.title_for(staff) if both else "",
                    "items": items,
                }
            )
        return [{**section, "language": language, "direction": direction} for section in out]

    def clean(self):
        data = super().clean()
        if self.for_interpreter:
            return data
        chosen = data.get("interpreter")
        data["interpreter"] = self.interpreters.get(chosen) if chosen else None
        if (
            data.get("mode") == Mode.INTERPRETER
            and data["interpreter"] is None
            and not (data.get("interpreter_name") or "").strip()
        ):
            self.add_error(
                "interpreter" if "interpreter" in self.fields else "interpreter_name",
                _("Choose the interpreter who helped with the call, or write their name."),
            )
        return data

    def answers(self) -> dict[int, dict[int, int | str]]:
        """{response pk: {item number: value or text}}, answered items only."""
        out: dict[int, dict[int, int | str]] = {}
        for response in self.responses:
            items = {}
            for item in response.instrument.spec.items:
                value = self.cleaned_data.get(answer_field_name(response.pk, item.number))
                if isinstance(value, str):
                    value = value.strip()
                if value is None or value == "":
                    continue
                items[item.number] = value
            out[response.pk] = items
        return out
