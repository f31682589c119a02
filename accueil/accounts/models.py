import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accueil.core.models import TimeStampedModel


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    PROGRAM_MANAGER = "program_manager", _("Program manager")
    COORDINATOR = "coordinator", _("Coordinator")
    VOLUNTEER = "volunteer", _("Volunteer")
    INTERPRETER = "interpreter", _("Interpreter")
    PARTNER_REFERRER = "partner_referrer", _("Partner referrer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.COORDINATOR})

# Who may invite whom. Admins invite anyone; managers everyone but admins; coordinators the
# people they work with day to day.
INVITABLE_ROLES = {
    Role.ADMIN: list(Role),
    Role.PROGRAM_MANAGER: [
        Role.PROGRAM_MANAGER,
        Role.COORDINATOR,
        Role.VOLUNTEER,
        Role.INTERPRETER,
        Role.PARTNER_REFERRER,
    ],
    Role.COORDINATOR: [Role.VOLUNTEER, Role.INTERPRETER, Role.PARTNER_REFERRER],
}


class ConfigurationQuerySet(models.QuerySet):
    """Organisations, programs and regions: the program's structure, looked up by staff."""

    def visible_to(self, user):
        if user.is_authenticated and user.is_staff_member:
            return self
        return self.none()


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        HOST = "host", _("Host organisation")
        PARTNER = "partner", _("Partner agency")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ConfigurationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            # One deployment serves one host organisation.
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="host"), name="one_host_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Region(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    province = models.CharField(_("province or territory"), max_length=2, default="ON")

    objects = ConfigurationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Program(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    regions = models.ManyToManyField(Region, related_name="programs", verbose_name=_("regions"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ConfigurationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People a user may look up: staff see everyone; others only themselves."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff_member:
            return self
        return self.filter(pk=user.pk)

    def with_role(self, role: str):
        return self.filter(role=role)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_name = models.CharField(
        _("preferred name"), max_length=100, blank=True, help_text=_("What people should call you.")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("organisation"),
    )
    programs = models.ManyToManyField(
        Program, blank=True, related_name="staff", verbose_name=_("programs")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name or pgettext_lazy("person", "Unnamed")

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    # Django's admin site is not used; is_staff exists for third-party code that checks it.
    @property
    def is_staff(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def needs_mfa(self) -> bool:
        return self.role in settings.MFA_REQUIRED_ROLES

    def invitable_roles(self) -> list[Role]:
        return list(INVITABLE_ROLES.get(self.role, []))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.is_staff_member:
            return self.none()
        return self

    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def by_token(self, token: str):
        return self.filter(token_hash=_hash_token(token))


class Invitation(TimeStampedModel):
    """An invitation to join with a role. Only the SHA-256 of its token is stored: a leaked
    database cannot be turned into working invitation links."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    programs = models.ManyToManyField(Program, blank=True, verbose_name=_("programs"))
    language = models.CharField(
        _("language of the invitation"), max_length=10, choices=settings.LANGUAGES
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.full_name

    def new_token(self) -> str:
        """Give the invitation a fresh token (the previous link stops working) and a new expiry."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
        return token

    @property
    def status(self) -> "Invitation.Status":
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING
