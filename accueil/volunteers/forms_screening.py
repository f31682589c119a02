"""Forms for screening, the pipeline board and the public reference form. They parse and
check input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accueil.accounts.models import Program, Region, Role, User
from accueil.core.widgets import DateInput, DateTimeInput

from . import documents
from .models import VolunteerStatus
from .selectors import BOARD_STAGES
from .services.screening import SETTABLE_STATUSES, InterviewOutcome


def _document_help_text() -> str:
    return gettext("A PDF file or a photo (JPEG or PNG), up to %(size)s MB.") % {
        "size": documents.max_bytes() // (1024 * 1024)
    }


_document_help = lazy(_document_help_text, str)


class DocumentField(forms.FileField):
    """A file checked by documents.validate_upload; cleans to a CleanDocument."""

    default_error_messages = {
        "required": _("Choose a file to upload."),
        "empty": _("The file is empty. Choose the file again."),
        "invalid": _("No file was sent. Choose the file again."),
    }

    widget = forms.FileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _document_help())
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png")

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded:
            return None
        return documents.validate_upload(uploaded)


# -- pipeline board ------------------------------------------------------------------------


class PipelineFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False, empty_label=_("All")
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("All")
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    coordinator = forms.ChoiceField(label=_("Coordinator"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)

    def __init__(self, *args, user, languages, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.COORDINATOR:
            self.fields["program"].queryset = user.programs.all()
        else:
            self.fields["program"].queryset = Program.objects.all()
        self.fields["language"].choices = [("", _("All")), *languages]
        self.fields["coordinator"].choices = [
            ("", _("Anyone")),
            ("none", _("Nobody yet")),
            *[(str(p.pk), p.display_name) for p in coordinators],
        ]
        self.fields["stage"].choices = [
            ("", _("Every open stage")),
            *[(s.value, s.label) for s in BOARD_STAGES],
        ]
        self._coordinators = {str(p.pk): p for p in coordinators}

    def clean_coordinator(self):
        value = self.cleaned_data["coordinator"]
        if value in ("", "none"):
            return value
        return self._coordinators.get(value)


class BulkActionForm(forms.Form):
    REMIND, ASSIGN = "remind", "assign"

    volunteers = forms.TypedMultipleChoiceField(
        label=_("Volunteers"),
        coerce=int,
        error_messages={"required": _("Select at least one volunteer.")},
    )
    action = forms.ChoiceField(
        label=_("What to do with the selected volunteers"),
        widget=forms.RadioSelect,
        choices=[
            (
                REMIND,
                _("Send a reminder (pending reference requests and a note of their next steps)"),
            ),
            (ASSIGN, _("Make this person their coordinator:")),
        ],
        error_messages={"required": _("Choose what to do.")},
    )
    coordinator = forms.ModelChoiceField(
        label=_("Coordinator"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (remove the coordinator)"),
    )

    def __init__(self, *args, volunteer_ids, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].choices = [(pk, pk) for pk in volunteer_ids]
        self.fields["coordinator"].queryset = coordinators


# -- staff actions on steps ----------------------------------------------------------------


class InterviewScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Date and time of the interview"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("Enter the date and time of the interview.")},
    )


class InterviewRecordForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=InterviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome of the interview.")},
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only staff can read these notes. They are stored encrypted."),
    )


class PoliceCheckForm(forms.Form):
    document = DocumentField(label=_("The police check"), required=False)
    issued_on = forms.DateField(
        label=_("Date of issue"),
        required=False,
        widget=DateInput(),
        help_text=_("Without a “valid until” date, the check is valid for 3 years from this date."),
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if not self.errors and not any(
            data.get(name) for name in ("document", "issued_on", "valid_until")
        ):
            raise forms.ValidationError(_("Upload the police check or give its date."))
        return data


class OrientationForm(forms.Form):
    attended_on = forms.DateField(
        label=_("Date the volunteer attended"),
        widget=DateInput(),
        initial=timezone.localdate,
        error_messages={"required": _("Enter the date of the session.")},
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a short note.")},
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["note"].label = label
        if help_text:
            self.fields["note"].help_text = help_text


class ReferenceAddForm(forms.Form):
    name = forms.CharField(label=_("Referee's name"), max_length=200)
    email = forms.EmailField(label=_("Referee's email address"))
    relation = forms.CharField(label=_("How they know the applicant"), max_length=200)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the new status.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to decline. Only staff can read it."),
    )

    def __init__(self, *args, volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            VolunteerStatus.ON_HOLD: _("Put on hold"),
            VolunteerStatus.DECLINED: _("Decline the application"),
            VolunteerStatus.WITHDRAWN: _("The volunteer withdrew"),
            VolunteerStatus.IN_SCREENING: _("Resume the screening"),
        }
        self.fields["status"].choices = [
            (status.value, labels[status])
            for status in SETTABLE_STATUSES
            if volunteer.can_move_to(status)
            and status != volunteer.status
            and (
                status != VolunteerStatus.IN_SCREENING
                or volunteer.status == VolunteerStatus.ON_HOLD
            )
        ]

    def clean(self):
        data = super().clean()
        if data.get("status") == VolunteerStatus.DECLINED and not data.get("reason", "").strip():
            self.add_error("reason", _("Write the reason for declining."))
        return data


# -- the reference form (public, and by staff on the phone) ---------------------------------


class ReferenceAnswerForm(forms.Form):
    KNOWN_FOR = [
        ("under_1", pgettext_lazy("known for", "Less than 1 year")),
        ("1_3", pgettext_lazy("known for", "1 to 3 years")),
        ("3_10", pgettext_lazy("known for", "3 to 10 years")),
        ("over_10", pgettext_lazy("known for", "More than 10 years")),
    ]
    known_for = forms.ChoiceField(
        label=_("How long have you known the applicant?"),
        choices=KNOWN_FOR,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long you have known them.")},
    )
    capacity = forms.CharField(
        label=_("How do you know them?"),
        max_length=300,
        help_text=_("For example: colleague, neighbour, fellow volunteer, teacher."),
        error_messages={"required": _("Say how you know them.")},
    )
    trust = forms.ChoiceField(
        label=_("Would you trust them to support a family in a vulnerable situation?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )
    concerns = forms.CharField(
        label=_("Do you have any concerns we should know about?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    comments = forms.CharField(
        label=_("Anything else you would like to tell us?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# -- the volunteer's own pages -------------------------------------------------------------


class CodeOfConductForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read the code of conduct and I agree to follow it."),
        error_messages={"required": _("Tick the box to show you agree.")},
    )
    signed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        error_messages={"required": _("Type your full name to sign.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_name"].widget.attrs["autocomplete"] = "name"


class MyDocumentForm(forms.Form):
    document = DocumentField(label=_("Your police check"))
