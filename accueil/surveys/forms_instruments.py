"""The XLSForm import: the upload (file, short name, audience), read into an instrument spec."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin

from .definitions import shipped
from .models import Audience, Instrument, InstrumentSource, Response
from .xlsform import XLSFormError, instrument_from_xlsform

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # definitions' slug rule, said in words below


def import_problem(spec) -> tuple[str, str] | None:
    """(field, message) when ``spec`` may not be stored, else None.

    Shipped instruments are replaced only by the files that ship them; and a version that
    has answers is frozen, so its answers keep meaning what they meant (instrument_store
    would refuse it too, less kindly)."""
    shipped_slugs = {instrument.slug for instrument in shipped()}
    if (
        spec.slug in shipped_slugs
        or Instrument.objects.filter(slug=spec.slug, source=InstrumentSource.SHIPPED).exists()
    ):
        return "slug", gettext(
            "%(slug)s is the short name of an instrument that comes with Accueil. Choose another "
            "short name."
        ) % {"slug": spec.slug}
    same = Instrument.objects.filter(slug=spec.slug, version=spec.version).first()
    if (
        same is not None
        and same.sha256 != spec.sha256
        and Response.objects.filter(instrument=same).exists()
    ):
        return "file", gettext(
            "Version %(version)s of %(slug)s already has answers, and this file changes it. "
            "Give the form a new version on the settings sheet (the version column), then "
            "choose the file again."
        ) % {"version": spec.version, "slug": spec.slug}
    return None


class InstrumentImportForm(ErrorLinksMixin, forms.Form):
    file = forms.FileField(
        label=_("XLSForm file"),
        help_text=_(
            "An Excel workbook (.xlsx) with survey, choices and settings sheets, up to 2 MB."
        ),
        error_messages={
            "required": _("Choose the XLSForm file to upload."),
            "empty": _("The file is empty. Choose the file again."),
            "invalid": _("No file was sent. Choose the file again."),
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    slug = forms.CharField(
        label=_("Short name"),
        help_text=_(
            "Lowercase letters, digits and hyphens, for example wellbeing-2025. It names the "
            "instrument in programs' survey plans and in the report."
        ),
        max_length=60,
        error_messages={"required": _("Enter a short name.")},
    )
    audience = forms.ChoiceField(
        label=_("Who answers it"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who answers it.")},
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip()
        if not SLUG.match(slug):
            raise forms.ValidationError(
                _(
                    "Use only lowercase letters, digits and hyphens, starting with a letter or a "
                    "digit."
                )
            )
        if slug == "import":  # /surveys/instruments/import/ is the import page itself
            raise forms.ValidationError(_("Choose another short name."))
        return slug

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 2 MB. Remove unused sheets, then choose it again.")
            )
        return upload

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            spec = instrument_from_xlsform(
                data["file"], slug=data["slug"], audience=data["audience"]
            )
        except XLSFormError as error:
            self.add_error(
                "file",
                gettext("%(problem)s Correct the file, then choose it again.") % {"problem": error},
            )
            return data
        problem = import_problem(spec)
        if problem is not None:
            self.add_error(*problem)
            return data
        data["spec"] = spec
        return data
