from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Program, Region, Role


class InvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_(
            "Partner referrers belong to their agency; everyone else to the host organisation."
        ),
    )
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs"),
        queryset=Program.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in user.invitable_roles()]
        host = Organisation.objects.filter(kind=Organisation.Kind.HOST).first()
        if host and not self.is_bound:
            self.fields["organisation"].initial = host.pk

    def clean(self):
        data = super().clean()
        role, organisation = data.get("role"), data.get("organisation")
        if role and organisation:
            if role == Role.PARTNER_REFERRER and organisation.kind != Organisation.Kind.PARTNER:
                self.add_error(
                    "organisation", _("Choose the partner agency this person works for.")
                )
            elif role != Role.PARTNER_REFERRER and organisation.kind != Organisation.Kind.HOST:
                self.add_error(
                    "organisation", _("Only partner referrers belong to a partner agency.")
                )
        return data


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    preferred_name = forms.CharField(
        label=_("What should people call you?"),
        max_length=100,
        required=False,
        help_text=_("Optional."),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few unrelated words make a strong password."),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["preferred_name"].widget.attrs["autocomplete"] = "nickname"

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            from .models import User

            probe = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("All organisations"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *Role.choices]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in by.invitable_roles()]


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "website", "is_active"]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        others = Organisation.objects.exclude(pk=self.instance.pk)
        if kind == Organisation.Kind.HOST and others.filter(kind=Organisation.Kind.HOST).exists():
            raise forms.ValidationError(
                _("There is already a host organisation; add partner agencies here.")
            )
        return kind


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "short_name", "description", "regions", "is_active"]
        widgets = {
            "regions": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name", "province"]
