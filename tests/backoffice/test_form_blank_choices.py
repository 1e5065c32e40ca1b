"""Issue 14: drop-downs of edit and create forms offer "请选择…" as their blank choice, never Django's "---------";
the list filters offer "全部" (FILTERS_EMPTY_CHOICE_LABEL). The crawl (tests/flows/test_role_crawl.py) renders every
form page as the roles that open it; this checks every form class of the product, including those no page shows
in the demo's states."""
import importlib

import pytest
from django import forms
from django.utils import translation

from backoffice.forms import BlankChoiceLabels

PRODUCT = ("backoffice", "projects", "tendering", "finance")
MODULES = ["backoffice.api.pages", "projects.forms", "projects.enrolment.forms", "projects.enrolment.views",
           "tendering.forms", "finance.forms"]


def _product_forms():
    for name in MODULES:
        importlib.import_module(name)
    found, todo = set(), list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        module = cls.__module__
        if module.split(".")[0] in PRODUCT and ".admin" not in module and "filters" not in module \
                and cls.__module__ != "backoffice.forms":
            found.add(cls)
    return found


def test_every_product_form_relabels_the_blank_choice():
    classes = _product_forms()
    assert len(classes) >= 20
    assert sorted(c.__qualname__ for c in classes if not issubclass(c, BlankChoiceLabels)) == []


def _with_objects(cls, personas):
    """Forms that take their objects: built as their pages build them."""
    from backoffice.models import Region
    from tendering.models import Contract
    from tests.factories import AnnualPlanFactory

    name = cls.__qualname__
    if name == "ProjectForm":
        return cls(plan=AnnualPlanFactory(), actor=personas.province)  # the department chooses the owning office
    if name == "InvoiceForm":
        return cls(contracts=Contract.objects.none(), counties=Region.objects.filter(code="360121"))
    if name == "ApiKeyForm":
        return cls(user=personas.county)
    return cls()


@pytest.mark.django_db
def test_form_drop_downs_read_please_choose_in_chinese(personas):
    rendered, blanks = 0, set()
    with translation.override("zh-hans"):
        for cls in _product_forms():
            try:
                form = _with_objects(cls, personas)
            except (TypeError, AttributeError, KeyError):  # needs its object (a tender, a lot): rendered by the crawl
                continue
            html = str(form)
            rendered += 1
            assert "---------" not in html, cls.__qualname__
            if '<option value="">' in html or '<option value="" selected>' in html:
                blanks.add(cls.__qualname__)
                assert "请选择…</option>" in html, cls.__qualname__
    assert rendered >= 15
    assert {"ProjectForm", "InvoiceForm", "ApiKeyForm"} <= blanks
