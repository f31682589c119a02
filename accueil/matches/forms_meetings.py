"""Booking or changing a meeting. The form turns a date, a time and a time zone into one
instant (refusing a time the clocks skip); the service decides the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin
from accueil.core.widgets import DateInput
from accueil.newcomers.services.onboarding import interpreter_select_choices

from .models import MeetingMode
from .services_meetings import MAX_MINUTES, MIN_MINUTES

# Where most meetings happen, first in the list; every other zone follows.
CANADIAN_ZONES = [
    "America/St_Johns",
    "America/Halifax",
    "America/Moncton",
    "America/Toronto",
    "America/Winnipeg",
    "America/Regina",
    "America/Edmonton",
    "America/Vancouver",
    "America/Whitehorse",
]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def time_zone_choices() -> list:
    common = list(dict.fromkeys([settings.TIME_ZONE, *CANADIAN_ZONES]))
    others = sorted(zone for zone in available_timezones() if "/" in zone and zone not in common)
    return [
        (_("Canada"), [(zone, zone.replace("_", " ")) for zone in common]),
        (_("Other time zones"), [(zone, zone.replace("_", " ")) for zone in others]),
    ]


class MeetingForm(ErrorLinksMixin, forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date of the meeting."),
            "invalid": _("Enter a real date, for example 3 December 2026."),
        },
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=TimeInput(),
        input_formats=["%H:%M", "%H:%M:%S"],
        error_messages={
            "required": _("Enter the time the meeting starts."),
            "invalid": _("Enter a time like 18:30."),
        },
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The time zone of the date and time above. Invitations show it."),
        error_messages={"required": _("Choose a time zone.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
        error_messages={
            "required": _("Enter how long the meeting lasts, in minutes."),
            "min_value": _("A meeting lasts at least %(limit_value)s minutes."),
            "max_value": _("A meeting lasts at most %(limit_value)s minutes."),
        },
    )
    mode = forms.ChoiceField(
        label=_("How the meeting takes place"),
        choices=MeetingMode.choices,
        widget=forms.RadioSelect,
        help_text=_("A video call gets its own link, sent with the invitation."),
        error_messages={"required": _("Choose how the meeting takes place.")},
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a meeting in person: the address. The group and the family see it."),
    )
    instructions = forms.CharField(
        label=_("Anything else the group and the interpreter need to know"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the number to call. It is in their invitation."),
    )
    interpreter = forms.ChoiceField(
        label=_("Interpreter"),
        required=False,
        help_text=_("The interpreter gets the invitation in their language."),
    )

    def __init__(self, *args, interpreters: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
        self.interpreters = {str(row["user"].pk): row["user"] for row in interpreters}
        self.fields["interpreter"].choices = interpreter_select_choices(
            interpreters, speaks_title=_("Speak one of the family's languages")
        )

    def clean_interpreter(self):
        value = self.cleaned_data["interpreter"]
        return self.interpreters.get(value) if value else None

    def clean(self):
        data = super().clean()
        day, at, zone_name = data.get("date"), data.get("time"), data.get("time_zone")
        if day and at and zone_name:
            zone = ZoneInfo(zone_name)
            local = datetime.combine(day, at, tzinfo=zone)
            # A time inside the hour the clocks skip does not exist: it would silently move.
            back = local.astimezone(UTC).astimezone(zone)
            if back.replace(tzinfo=None) != local.replace(tzinfo=None):
                self.add_error(
                    "time",
                    _("The clocks change at that time on that day. Choose another time."),
                )
            else:
                data["starts_at"] = local
        if data.get("mode") == MeetingMode.IN_PERSON and not (data.get("place") or "").strip():
            self.add_error("place", _("Enter where the meeting takes place."))
        return data
