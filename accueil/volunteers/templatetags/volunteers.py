from django import template

from accueil.core.taxonomy import Gender

from ..models import LanguageLevel

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def language_level(code: str) -> str:
    return str(dict(LanguageLevel.choices).get(code, code))


@register.filter
def gender_label(code: str) -> str:
    return str(dict(Gender.choices).get(code or "", code))
