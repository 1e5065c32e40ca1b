from django import template

from backoffice import money, when

register = template.Library()


@register.filter
def yuan(value):
    """¥1,234,567.89 (R57); nothing for a figure not known yet (a sealed bid's price)."""
    return "" if value in (None, "") else money.yuan(value)


register.filter("when", when.when)
