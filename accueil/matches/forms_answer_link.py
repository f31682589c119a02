"""The household's answer through the texted link: yes, or no with an optional reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.core.forms import ErrorLinksMixin

from .forms import REASON_MAX


class DeclineForm(ErrorLinksMixin, forms.Form):
    reason = forms.CharField(
        label=_("Can you tell us why?"),
        help_text=_("You do not have to. Only your coordinator reads it."),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _("Write %(limit_value)d characters or fewer."),
        },
    )
