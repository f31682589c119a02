from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.messaging.services import outbox_enqueue_template_email

from .models import Invitation, Organisation, Role, User
from .permissions import can_invite


def _send_invitation(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("invitation_accept", args=[token])
    outbox_enqueue_template_email(
        to=invitation.email,
        template_name="accounts/email/invitation",
        context={
            "invitation": invitation,
            "link": link,
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
        subject=gettext_lazy("You are invited to join Accueil"),
        language=invitation.language,
        template="invitation",
        idempotency_key=f"invitation-{invitation.pk}-{invitation.token_hash[:16]}",
    )


@transaction.atomic
def invitation_create(
    *,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation,
    programs=(),
    language: str,
    by: User,
) -> Invitation:
    if not can_invite(by, role):
        raise PermissionDenied
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("Someone with this email address already has an account.")}
        )
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This person already has a pending invitation.")})
    if role == Role.PARTNER_REFERRER and organisation.kind != Organisation.Kind.PARTNER:
        raise ValidationError({"organisation": _("Partner referrers belong to a partner agency.")})
    if role != Role.PARTNER_REFERRER and organisation.kind != Organisation.Kind.HOST:
        raise ValidationError(
            {"organisation": _("Only partner referrers belong to a partner agency.")}
        )
    return _invite(
        email=email,
        full_name=full_name,
        role=role,
        organisation=organisation,
        programs=programs,
        language=language,
        by=by,
    )[0]


def _invite(
    *, email, full_name, role, organisation, programs, language, by
) -> tuple[Invitation, str]:
    invitation = Invitation(
        email=email,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        language=language,
        invited_by=by,
    )
    token = invitation.new_token()
    invitation.save()
    invitation.programs.set(programs)
    audit.record("account.invited", actor=by, target=invitation, data={"role": role})
    _send_invitation(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_create_admin(
    *, email: str, full_name: str, organisation_name: str, language: str
) -> str:
    """Bootstrap from the command line: the host organisation (created if missing) and an
    invitation for an administrator. Returns the link, for the operator to hand over."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Someone with this email address already has an account."))
    host = Organisation.objects.filter(kind=Organisation.Kind.HOST).first()
    if host is None:
        host = Organisation.objects.create(
            name=organisation_name.strip(), kind=Organisation.Kind.HOST
        )
    Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
    _invitation, token = _invite(
        email=email,
        full_name=full_name,
        role=Role.ADMIN,
        organisation=host,
        programs=(),
        language=language,
        by=None,
    )
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """A new link and a new expiry; the old link stops working."""
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
        raise ValidationError(_("This invitation can no longer be sent."))
    token = invitation.new_token()
    invitation.save(update_fields=["token_hash", "expires_at", "updated_at"])
    audit.record("account.invitation_resent", actor=by, target=invitation)
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only a pending invitation can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit.record("account.invitation_revoked", actor=by, target=invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, preferred_name: str, password: str) -> User:
    """Create the account. The email is verified: the person proved they read it."""
    invitation = Invitation.objects.select_for_update().by_token(token).first()
    if invitation is None or not invitation.is_usable:
        raise ValidationError(_("This invitation link is not valid any more. Ask for a new one."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            _("An account with this email address already exists. Sign in instead.")
        )
    user = User.objects.create_user(
        invitation.email,
        password,
        full_name=full_name.strip(),
        preferred_name=preferred_name.strip(),
        role=invitation.role,
        organisation=invitation.organisation,
        language=invitation.language,
    )
    user.programs.set(invitation.programs.all())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user", "updated_at"])
    audit.record("account.invitation_accepted", actor=user, target=user, data={"role": user.role})
    return user


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language", "updated_at"])
    audit.record("account.language_changed", actor=user, target=user, data={"language": language})


@transaction.atomic
def user_change_role(*, user: User, role: str, by: User) -> User:
    if not by.has_perm("accounts.manage_person", user) or role not in by.invitable_roles():
        raise PermissionDenied
    if role == user.role:
        return user
    partner = role == Role.PARTNER_REFERRER
    if partner != (user.organisation.kind == Organisation.Kind.PARTNER):
        raise ValidationError(
            {
                "role": _(
                    "Partner referrers belong to a partner agency, and only they do: invite this person again instead."
                )
            }
        )
    user.role = role
    user.save(update_fields=["role", "updated_at"])
    audit.record("account.role_changed", actor=by, target=user, data={"role": role})
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivation takes effect at once: the person's open sessions stop working too."""
    if not by.has_perm("accounts.manage_person", user):
        raise PermissionDenied
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    audit.record("account.reactivated" if active else "account.deactivated", actor=by, target=user)
    return user
