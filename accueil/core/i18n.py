"""Language metadata Django lacks, and the languages each audience is served in."""

from django.conf import locale

# Django's LANG_INFO has no Tigrinya and no Dari; without these entries get_language_info()
# raises and the language switcher, bidi detection and localised names fail for them.
EXTRA_LANG_INFO = {
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
    "prs": {"bidi": True, "code": "prs", "name": "Dari", "name_local": "دری"},
}

# Languages newcomer-facing pages (surveys, consent, messages) are offered in.
NEWCOMER_LANGUAGES = ["en", "fr", "ar", "es", "fa", "prs", "ti"]


def extend_lang_info() -> None:
    for code, info in EXTRA_LANG_INFO.items():
        locale.LANG_INFO.setdefault(code, info)
