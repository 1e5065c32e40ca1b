import pytest

from projects.evaluation import services, sources
from tests.batch_helpers import batched  # noqa: F401  (a fixture for this folder)
from tests.factories.evaluation import completed_project, third_party_user


@pytest.fixture
def project(orgs, personas):
    return completed_project(orgs, personas)


@pytest.fixture
def third_party(orgs):
    return third_party_user(orgs)


@pytest.fixture
def evaluation(project, personas):
    return services.evaluation_open(actor=personas.province, project=project)


@pytest.fixture(autouse=True)
def no_budget_provider(monkeypatch):
    """Finance may have registered a provider; tests say explicitly when there is one."""
    monkeypatch.setattr(sources, "_PROVIDERS", {})
