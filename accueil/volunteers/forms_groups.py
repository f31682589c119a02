from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.accounts.models import Program, Region

from .models import GroupMembership


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Group name"), max_length=120, help_text=_("For example: Riverdale Welcome Group.")
    )
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all())
    capacity = forms.IntegerField(
        label=_("Matches at the same time"),
        min_value=1,
        max_value=3,
        initial=1,
        help_text=_("Most groups support one household at a time."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        programs = Program.objects.filter(is_active=True)
        if user.role == "coordinator":
            programs = programs.filter(pk__in=user.programs.all())
        self.fields["program"].queryset = programs


class AddMemberForm(forms.Form):
    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("Role"), choices=GroupMembership.Role.choices, initial=GroupMembership.Role.MEMBER
    )


class JoinGroupForm(forms.Form):
    code = forms.CharField(
        label=_("Invite code"),
        max_length=20,
        help_text=_("The 8-character code your friend's group gave you, for example KT7M2QXP."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class StartGroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name your group"),
        max_length=120,
        help_text=_("Friends join it with the invite code you will get."),
    )
