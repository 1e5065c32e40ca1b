import pytest

from tests.batch_helpers import batched  # noqa: F401  (fixtures for this folder)
from tests.export_helpers import exported  # noqa: F401
from tests.factories.finance import contract_for, trainees


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def contract(orgs):
    """The R52 worked example: ¥12.50 per trainee-hour, 80 hours."""
    return contract_for(institution=orgs.institution, unit_price="12.50", hours=80, quota=50)


@pytest.fixture
def project(contract):
    return contract.lot.projects.get()


@pytest.fixture
def settled(personas, contract, project):
    """37 completed trainees in 南昌县, settled, confirmed by the institution and approved by finance."""
    from finance import services

    trainees(project, "360121", 37)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = contract.statements.get()
    services.settlement_confirm(actor=personas.institution, statement=statement)
    return services.settlement_approve(actor=personas.finance, statement=statement)
