"""The product's form bases: a drop-down's blank choice reads "Please choose…" in the reader's language, never
Django's "---------" (list filters read "All": FILTERS_EMPTY_CHOICE_LABEL)."""
from django import forms
from django.utils.translation import gettext_lazy as _

CHOOSE = _("Please choose…")
DASHES = "---------"


def relabel_blank_choice(field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if choices and choices[0][0] in ("", None) and str(choices[0][1]) == DASHES:
            field.choices = [("", CHOOSE), *choices[1:]]


class BlankChoiceLabels:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            relabel_blank_choice(field)


class Form(BlankChoiceLabels, forms.Form):
    pass


class ModelForm(BlankChoiceLabels, forms.ModelForm):
    pass
