from django import template

from backoffice import punctuation

register = template.Library()


@register.simple_tag
def p(name):
    """{% p ":" %} → "：" in Chinese, ": " in English (also "(", ")", ";", ",", "list")."""
    return punctuation.mark(name)


@register.filter
def enum(values):
    return punctuation.enum(values)
