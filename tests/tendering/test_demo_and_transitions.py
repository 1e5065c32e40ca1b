import pytest

from backoffice.exceptions import DomainError
from backoffice.models import User
from projects.models import Project
from tendering import services
from tendering.models import ExpertProfile, InstitutionProfile, Qualification, Tender, TenderStatus
from tests.factories import UserFactory
from tests.tendering.conftest import announce

pytestmark = pytest.mark.django_db


def test_demo_step_is_idempotent_and_creates_a_tender_over_filed_projects(world):
    from tendering.demo import demo_step

    UserFactory(username="admin", is_superuser=True, role="")
    User.objects.filter(pk=world.personas.office.pk).update(username="office")
    first = demo_step()
    counts = (InstitutionProfile.objects.count(), Qualification.objects.count(), ExpertProfile.objects.count(),
              Tender.objects.count())
    second = demo_step()
    assert counts == (InstitutionProfile.objects.count(), Qualification.objects.count(), ExpertProfile.objects.count(),
                      Tender.objects.count())
    assert "演示招标" in first and "演示招标" not in second
    assert ExpertProfile.objects.filter(user__username__startswith="expert").count() == 25
    demo = Tender.objects.get(title__startswith="【演示】")
    assert demo.status == TenderStatus.ANNOUNCED


@pytest.mark.parametrize("who,allowed", [("province", True), ("office", False), ("auditor", False),
                                         ("henan_province", False), ("institution", False)])
def test_cancel_announced_tender_by_role(world, who, allowed):
    announce(world)
    if allowed:
        services.tender_cancel(actor=world.personas[who], tender=world.tender, reason="预算调整")
        world.tender.refresh_from_db()
        assert world.tender.status == TenderStatus.CANCELLED
        assert set(Project.objects.filter(pk__in=[p.pk for p in world.projects]).values_list("status", flat=True)) == {"filed"}
    else:
        with pytest.raises(DomainError) as exc:
            services.tender_cancel(actor=world.personas[who], tender=world.tender, reason="x")
        assert exc.value.code == "transition_forbidden"


def test_cancel_needs_a_reason(world):
    with pytest.raises(DomainError) as exc:
        services.tender_cancel(actor=world.personas.province, tender=world.tender, reason="")
    assert exc.value.code == "reason_required"


@pytest.mark.parametrize("who", ["province", "office"])
def test_announce_allowed_for_tender_staff(world, who):
    assert services.tender_announce(actor=world.personas[who], tender=world.tender).status == TenderStatus.ANNOUNCED


@pytest.mark.parametrize("who", ["institution", "auditor", "city", "henan_province", "ministry", "expert"])
def test_announce_refused_for_other_roles(world, who):
    with pytest.raises(DomainError) as exc:
        services.tender_announce(actor=world.personas[who], tender=world.tender)
    assert exc.value.code == "transition_forbidden"


def test_settings_defaults(db):
    from backoffice.config import get_setting

    assert get_setting("tender_notice_working_days") == 1
    assert get_setting("tender_question_working_days") == 7
    assert get_setting("tender_contract_days") == 30
    assert get_setting("tender_fail_bar_months") == 12
    assert get_setting("tender_min_qualified_bids") == 3
