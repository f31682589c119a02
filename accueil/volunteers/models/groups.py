import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accueil.core.models import TimeStampedModel

# Invite codes avoid letters and digits that read alike (0/O, 1/I/L) when said on the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_invite_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class WelcomeGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.role in ("admin", "program_manager"):
            return self
        if user.role == "coordinator":
            return self.filter(program__in=user.programs.all())
        if user.role in ("volunteer", "interpreter"):
            return self.filter(memberships__user=user, memberships__left_at__isnull=True).distinct()
        return self.none()


class WelcomeGroup(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120)
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("program"),
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="groups", verbose_name=_("region")
    )
    invite_code = models.CharField(
        _("invite code"), max_length=12, unique=True, default=new_invite_code
    )
    capacity = models.PositiveSmallIntegerField(_("matches at the same time"), default=1)
    min_members = models.PositiveSmallIntegerField(_("approved members needed"), default=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = WelcomeGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Welcome Group")
        verbose_name_plural = _("Welcome Groups")

    def __str__(self) -> str:
        return self.name


class GroupMembership(TimeStampedModel):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        LEAD = "lead", _("Group lead")

    group = models.ForeignKey(WelcomeGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-role", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(left_at__isnull=True),
                name="one_current_membership",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(left_at__isnull=True, role="lead"),
                name="one_current_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"
