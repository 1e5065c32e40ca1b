"""R3: the audit trail records the client's address as the trusted proxies saw it, never what the client claims."""
import pytest
from django.test import RequestFactory

from backoffice.audit import timeline_for
from backoffice.middleware import client_ip
from projects.models import ProjectStatus
from tests.factories import ProjectFactory


@pytest.fixture
def project(personas, orgs):
    return ProjectFactory(office=orgs.office, owner=orgs.office, created_by=personas.office,
                          plan__created_by=personas.province)


def _cancel(client, project, **headers):
    return client.post(f"/projects/{project.pk}/transition/", {"transition": "cancel", "reason": "经费调整"},
                       **headers)


def _request(xff=None, remote="10.0.0.2"):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_r3_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("198.51.100.7")) == "10.0.0.2"


@pytest.mark.parametrize("count, xff, expected", [
    (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own first hop is not believed
    (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
    (1, "2001:db8::1", "2001:db8::1"),
    (1, "", "10.0.0.2"),  # not through the proxy: its peer address
    (2, "203.0.113.5", "10.0.0.2"),  # fewer hops than trusted proxies
    (1, "6.6.6.6, not-an-ip", "10.0.0.2"),
    (1, "6.6.6.6, 203.0.113.5:443", "10.0.0.2"),
    (1, "fe80::1%eth0", "10.0.0.2"),  # PostgreSQL's inet has no zone index
])
def test_r3_client_address_is_taken_from_the_right_and_validated(settings, count, xff, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(xff)) == expected


def test_r3_junk_remote_addr_records_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(remote="unix-socket")) is None


@pytest.mark.parametrize("count", [0, 1])
def test_r3_junk_forwarded_header_does_not_break_an_audited_action(project, personas, login, settings, count):
    # Before: the first hop "'; DROP TABLE" went into the inet column and PostgreSQL refused it (a 500).
    settings.TRUSTED_PROXY_COUNT = count
    response = _cancel(login(personas.province), project, HTTP_X_FORWARDED_FOR="'; DROP TABLE x; --, <junk>",
                       REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED
    assert timeline_for(project).get().ip_address == "192.0.2.10"


def test_r3_spoofed_first_hop_is_not_recorded_behind_one_proxy(project, personas, login, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _cancel(login(personas.province), project, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    assert timeline_for(project).get().ip_address == "203.0.113.5"


@pytest.mark.django_db
def test_lockout_keys_on_the_client_behind_the_proxy_not_the_proxy(client, personas, settings):
    """Five failed log-ins from one client behind the proxy lock that client out, not everyone behind it."""
    settings.TRUSTED_PROXY_COUNT = 1
    user = personas.county.username

    def log_in(password, ip):
        return client.post("/login/", {"username": user, "password": password},
                           HTTP_X_FORWARDED_FOR=ip, REMOTE_ADDR="10.0.0.2")

    for _i in range(settings.AXES_FAILURE_LIMIT):
        log_in("wrong", "203.0.113.5")
    assert log_in("wrong", "203.0.113.5").status_code == 429
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
