from django.conf import settings
from django.utils.translation import get_language, get_language_bidi, get_language_info


def layout(request):
    code = get_language() or settings.LANGUAGE_CODE
    languages = []
    for lang_code, _name in settings.LANGUAGES:
        info = get_language_info(lang_code)
        languages.append(
            {"code": lang_code, "name_local": info["name_local"], "current": lang_code == code}
        )
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "LANGUAGE_DIRECTION": "rtl" if get_language_bidi() else "ltr",
        "layout_languages": languages,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS if signed_in else None,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
