from django import template

from accueil.core.languages import language_name as _language_name

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """A stored ISO 639 code as the language's name in the page's language."""
    return _language_name(code)
