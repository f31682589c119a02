import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .audit import CODES

# Canadian postal codes: the first three characters (the "forward sortation area") are a
# letter, a digit and a letter; D, F, I, O, Q, U never appear, nor W and Z first.
FSA = re.compile(r"^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]$")
FULL_POSTAL_CODE = re.compile(
    r"^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][0-9][ABCEGHJ-NPRSTV-Z][0-9]$"
)


class ErrorLinksMixin:
    def anchor(self, name: str) -> str:
        """The id of a field's first input: a link to a group of radios or checkboxes lands
        on its first choice."""
        bound = self[name]
        multiple = isinstance(bound.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))
        return f"{bound.auto_id}_0" if multiple else bound.auto_id

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary."""
        links = [("", str(error)) for error in self.non_field_errors()]
        for bound in self:
            links.extend((self.anchor(bound.name), str(error)) for error in bound.errors)
        return links


class AuditFilterForm(forms.Form):
    person = forms.IntegerField(label=_("Person (id)"), required=False, min_value=1)
    record = forms.CharField(
        label=_("Record"),
        required=False,
        help_text=_("For example accounts.user:12"),
        max_length=100,
    )
    code = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", _("All actions"))] + [
            (code, code) for code in sorted(CODES)
        ]

    def clean_record(self):
        value = self.cleaned_data["record"].strip()
        if not value:
            return None
        try:
            label, pk = value.split(":", 1)
            app_label, model = label.split(".", 1)
            ct = ContentType.objects.get_by_natural_key(app_label, model)
        except (ValueError, ContentType.DoesNotExist):
            raise forms.ValidationError(
                _("Write the record as app.model:id, for example accounts.user:12.")
            ) from None
        return ct, pk

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data

    def filter(self, entries):
        data = self.cleaned_data
        if data.get("person"):
            user_ct = ContentType.objects.get_for_model(get_user_model())
            entries = entries.filter(
                Q(actor_id=data["person"]) | Q(content_type=user_ct, object_pk=str(data["person"]))
            )
        if data.get("record"):
            ct, pk = data["record"]
            entries = entries.filter(content_type=ct, object_pk=pk)
        if data.get("code"):
            entries = entries.filter(code=data["code"])
        if data.get("since"):
            entries = entries.filter(timestamp__date__gte=data["since"])
        if data.get("until"):
            entries = entries.filter(timestamp__date__lte=data["until"])
        return entries


def add_service_errors(form: forms.Form, exc, *, default_field: str | None = None) -> None:
    """Show a service's ValidationError on the form that called it: errors about a field go
    beside that field (and in the error summary), the rest at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc)
