"""Anonymous visitors: every staff page sends them to the log-in page, never a 500 (issue 14 #1, R2)."""
import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open without logging in (R44 verification, R27 award notices, R61 survey links), plus
# Django's own log-in/language/admin doors, which answer anonymous visitors themselves.
PUBLIC = {
    "login", "logout", "set_language", "javascript-catalog",
    "enrolment:verify", "tendering:notice_list", "tendering:notice_detail", "tendering:notice_pdf",
    "evaluation:survey", "enrolment:certificate_verify",
    "api:tender-list", "api:tender-detail", "api:notice-list", "api:notice-detail",  # open contracting data
    "tendering:open_data", "enrolment:publicity_list", "enrolment:publicity_detail",  # R32 公示, OCDS
}
# Stored files answer 404 to nobody, so a guessed URL does not even learn that the file exists.
PROTECTED_FILES = {
    "enrolment:import_job_file", "enrolment:exemption_evidence", "enrolment:certificate_job_file",
    "tendering:qualification_document", "export_job_file", "enrolment:records_job_file", "enrolment:bulk_job_report",
    "batch_job_file",
}


# The API answers a client without a key 401/403 (its schema and docs are readable), never a log-in page.
API_ANONYMOUS = {401, 403, 404, 405}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            yield from _walk(p.url_patterns, prefix + str(p.pattern), f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name or ''}", prefix + str(p.pattern)


def _concrete(route: str) -> str:
    """A visitable path: converters get a value that may exist (a 404 behind the log-in is fine)."""
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug|path|uuid):?\w*>", "x", route)
    route = re.sub(r"<\w+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$").replace("\\", "")


def staff_urls():
    seen = set()
    for name, route in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") or name in PUBLIC or "(?P" in route:
            continue
        path = _concrete(route)
        if path not in seen:
            seen.add(path)
            yield pytest.param(path, name in PROTECTED_FILES, id=name or path)


@pytest.mark.parametrize(("path", "protected_file"), list(staff_urls()))
def test_r2_anonymous_visitor_is_sent_to_login_from_every_staff_page(client, db, path, protected_file):
    """GET and POST as nobody: a redirect to the log-in page that comes back here, never a page or a 500."""
    client.raise_request_exception = False
    for method in (client.get, client.post):
        response = method(path)
        if path.startswith("/api/"):  # machine clients (R5): refused without a key, never a page or a 500
            readable = response.status_code == 200 and any(w in path for w in ("schema", "docs", "redoc"))
            assert readable or response.status_code in API_ANONYMOUS, (method.__name__, path, response.status_code)
            continue
        if response.status_code == 405:  # a POST-only door refuses a GET before anything else
            continue
        if protected_file:
            assert response.status_code == 404, (method.__name__, path, response.status_code)
            continue
        assert response.status_code == 302, (method.__name__, path, response.status_code)
        assert response.url.startswith(settings.LOGIN_URL) or response.url.startswith("/login/"), response.url
        assert "next=" in response.url


def test_r2_the_walk_covers_the_trainee_list():
    assert "/enrolment/trainees/" in [p.values[0] for p in staff_urls()]


def test_r2_public_pages_open_without_login(client, db):
    for path in ("/enrolment/verify/", "/tendering/notices/", "/login/"):
        assert client.get(path).status_code == 200, path
