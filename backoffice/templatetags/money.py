from django import template

from backoffice import money

register = template.Library()
register.filter("yuan", money.yuan)
