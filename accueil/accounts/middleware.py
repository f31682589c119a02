import time
from urllib.parse import urlencode

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

# Paths open to a signed-in person who has not yet enrolled a second factor.
# The respondent's pages (a survey at /s/, a household's answer to a proposal at /m/) show
# nothing of the signed-in person: a staff member without MFA yet may open a link to try it.
MFA_EXEMPT_PREFIXES = (
    "/accounts/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/session/",
    "/welcome/mfa/",
    "/s/",
    "/m/",
)


class UserLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's and the cookie's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class IdleSessionMiddleware:
    """End any signed-in session after SESSION_IDLE_SECONDS without a request.

    The page warns shortly before (static/accueil/js/accueil.js), with a button that pings
    the keep-alive view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("last_seen")
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
                if request.htmx:
                    return HttpResponseClientRedirect(login_url)
                return redirect(login_url)
            request.session["last_seen"] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """Staff (and partner staff) must enrol a second factor before any other page opens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.needs_mfa
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not get_mfa_adapter().is_mfa_enabled(user)
        ):
            if request.htmx:
                # A partial must not render a staff fragment either; tell htmx to navigate.
                return HttpResponseClientRedirect(reverse("mfa_required"))
            return redirect("mfa_required")
        return self.get_response(request)
