"""R2, R3: every audited model files its events under the region its `audit_region` path leads to, so the
auditors of that region read them and nobody outside it does."""
import pytest
from django.apps import apps

from backoffice.audit import audit_record, audit_region_code
from backoffice.models import Audited
from backoffice.models.recorded import audit_region_paths
from backoffice.selectors import audit_list_visible_to
from tests.factories import region

AUDITED = sorted((m for m in apps.get_models() if issubclass(m, Audited)), key=lambda m: m._meta.label)
CASES = [pytest.param(model, i, id=f"{model._meta.label}:{path}")
         for model in AUDITED for i, path in enumerate(audit_region_paths(model))]


def _instance_reaching(model, path, target):
    """An unsaved `model` whose relations along `path` end at `target` (earlier fallbacks left empty)."""
    obj = node = model(pk=1)
    parts = path.split(".")
    for part in parts[:-1]:
        related = node._meta.get_field(part).related_model()
        setattr(node, part, related)
        node = related
    setattr(node, parts[-1], target)
    return obj


def test_r3_the_product_has_audited_models_of_every_app():
    assert {m._meta.app_label for m in AUDITED} >= {"backoffice", "projects", "enrolment", "evaluation",
                                                     "tendering", "finance"}


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "index"), CASES)
def test_r2_r3_events_filed_under_the_region_of_the_path(model, index, personas, monkeypatch):
    monkeypatch.setattr(model, "__str__", lambda self: "row")  # its usual text reads relations left empty here
    county = region("360121")  # 南昌县, in the Jiangxi department's province
    obj = _instance_reaching(model, audit_region_paths(model)[index], county)
    assert audit_region_code(obj) == "360121"
    event = audit_record(obj=obj, actor=personas.province, action="update")
    assert event.region_code == "360121"
    assert audit_list_visible_to(user=personas.auditor).filter(pk=event.pk).exists()
    assert not audit_list_visible_to(user=personas.henan_province).filter(pk=event.pk).exists()


def test_r3_a_path_that_leads_nowhere_is_refused_by_the_system_check(monkeypatch):
    from tendering.models import Bid

    assert Bid.check() == []
    monkeypatch.setattr(Bid, "audit_region", ("lot.tender", "lot.tender.provinse"))
    assert [e.id for e in Bid.check()] == ["backoffice.E010", "backoffice.E010"]
