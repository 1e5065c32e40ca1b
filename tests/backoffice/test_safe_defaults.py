"""Issue 11 #3 and #12: the embedded default is safe as shipped (DEBUG off, static files without collectstatic,
a Chinese error page), every page carries a Content-Security-Policy that allows no inline script or style, and
kept database connections are checked before reuse."""
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import path

from backoffice import urls as product_urls
from backoffice.management.commands.demo import Command as DemoCommand

ROOT = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "SECRET_KEY": "ci-" + "x" * 60, "ALLOWED_HOSTS": "guopei.example.gov.cn",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _settings_of(module: str, env: dict, *names: str) -> dict:
    """Settings as a fresh process loads them from `env` alone (no test overrides, no DEBUG from the shell)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"}}
    code = ("import json, django; from django.conf import settings; django.setup(); "
            f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**clean, "DJANGO_SETTINGS_MODULE": module, **env})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_default_runs_with_debug_off_unless_debug_1():
    assert _settings_of("backoffice.settings", {}, "DEBUG")["DEBUG"] is False
    assert _settings_of("backoffice.settings", {"DEBUG": "1"}, "DEBUG")["DEBUG"] is True


def test_conn_health_checks_wherever_connections_are_kept():
    # A kept connection that died with a database restart would break the next request of each worker.
    production = _settings_of("backoffice.settings.production", PRODUCTION_ENV, "DATABASES")["DATABASES"]["default"]
    assert production["CONN_MAX_AGE"] == 60 and production["CONN_HEALTH_CHECKS"] is True
    # The embedded default keeps none unless DATABASE_URL asks (?conn_max_age=…): checked all the same.
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def boom(request):
    raise RuntimeError("secret internals: " + settings.SECRET_KEY)


urlpatterns = [path("boom/", boom), *product_urls.urlpatterns]
handler500 = product_urls.handler500


@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_chinese_page_never_the_debug_page(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器错误" in page
    assert "secret internals" not in page and "Traceback" not in page and "SECRET_KEY" not in page


@pytest.mark.parametrize("name", ["css/app.css", "js/app.js", "js/job-progress.js", "fonts/wqy-microhei.ttc"])
def test_static_files_are_served_without_collectstatic(client, settings, tmp_path, name):
    settings.STATIC_ROOT = tmp_path  # nothing collected
    response = client.get(static(name))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (ROOT / "static" / name).read_bytes()


def test_pdf_font_path_still_points_at_the_shipped_font():
    assert Path(settings.PDF_FONT_PATH).is_file()


@pytest.mark.parametrize("url", ["/login/", "/", "/tendering/notices/"])
def test_every_page_carries_a_content_security_policy_without_inline_code(client, db, url):
    header = client.get(url)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in header.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "script-src" not in directives and "style-src" not in directives  # both fall back to 'self'


INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "on*= handler"),
    (re.compile(r"<[^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_holds_inline_script_handlers_or_styles():
    found = []
    for template in sorted((ROOT / "templates").rglob("*")):
        if template.suffix not in {".html", ".svg", ".txt", ".xml"}:
            continue
        text = template.read_text(encoding="utf-8")
        found += [f"{template.relative_to(ROOT)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def test_demo_on_all_interfaces_lets_the_machine_s_own_names_in(settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"]
    DemoCommand._allow_lan_hosts("127.0.0.1:8000")
    assert settings.ALLOWED_HOSTS == ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"]
    DemoCommand._allow_lan_hosts("0.0.0.0:8080")
    assert socket.gethostname() in settings.ALLOWED_HOSTS
    assert len(settings.ALLOWED_HOSTS) == len(set(settings.ALLOWED_HOSTS))
