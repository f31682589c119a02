"""Write sign-in, password, MFA and lockout events to the audit trail."""

from datetime import timedelta

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from accueil.core import audit
from accueil.core.models import AuditEntry

from .models import User


@receiver(account_signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record("account.logged_in", actor=user, target=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("account.logged_out", actor=user, target=user)


@receiver(account_signals.password_changed)
def _password_changed(sender, request, user, **kwargs):
    audit.record("account.password_changed", actor=user, target=user)


@receiver(account_signals.password_reset)
def _password_reset(sender, request, user, **kwargs):
    audit.record("account.password_reset", actor=user, target=user)


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender, request, user, authenticator, **kwargs):
    audit.record(
        "account.mfa_enabled", actor=user, target=user, data={"method": authenticator.type}
    )


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    audit.record(
        "account.mfa_disabled", actor=user, target=user, data={"method": authenticator.type}
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = User.objects.filter(email__iexact=username or "").first()
    if user is None:
        return  # no account: nothing to attach the event to, and nothing to reveal
    # Axes signals on every refused attempt during a lockout; one entry per lockout is enough.
    recent = AuditEntry.objects.for_record(user).filter(
        code="account.locked_out", timestamp__gte=timezone.now() - timedelta(hours=1)
    )
    if not recent.exists():
        audit.record("account.locked_out", actor=None, target=user)
