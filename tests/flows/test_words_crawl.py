"""Issue 14 #2, #3, #7: the demo crawled as every role in English.

English pages show no Chinese outside names and data (every Chinese run must be text stored in the database) and
no full-width punctuation after English words, no "---------" in a drop-down and no time with microseconds. The
Chinese crawl (no workflow code names such as "applied → rejected", no rule numbers such as "R34：") is part of
every role's crawl in tests/flows/test_role_crawl.py, which reuses the helpers here."""
import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from tests.flows.test_demo_crawl import SKIP, _Links, _shape

pytestmark = pytest.mark.django_db

ROLES = ["province", "office", "county", "school", "institution", "expert", "evaluator", "finance", "auditor"]
PER_SHAPE, PER_USER = 1, 90
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
HAN = re.compile(r"[\u4e00-\u9fff]")
FULL_WIDTH_ONLY = re.compile(r"[\u3000-\u303f\uff00-\uffef]+")
RULE = re.compile(r"(?<![A-Za-z0-9])R\d{1,2}(?![0-9A-Za-z])")
MICROSECONDS = re.compile(r"\d\d:\d\d:\d\d\.\d+")


def _pages(client):
    seen, shapes, found = set(), {}, 0
    queue = deque(["/"])
    while queue and found < PER_USER:
        url = queue.popleft()
        path = urlsplit(url).path
        # /api/: the API's own documentation (Swagger UI, Redoc), a developers' tool titled by its schema.
        if url in seen or SKIP.match(path) or path.startswith("/api/") or shapes.get(_shape(path), 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[_shape(path)] = shapes.get(_shape(path), 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        found += 1
        html = response.content.decode()
        yield url, html
        parser = _Links()
        parser.feed(html)
        for href in parser.found:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def _text_nodes(html: str) -> list[str]:
    """The visible text of the page's main part, one entry per text node (scripts and styles dropped)."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", "", main, flags=re.DOTALL)
    return [unescape(t).strip() for t in re.sub(r"<[^>]+>", "\n", main).split("\n") if t.strip()]


def _filter_forms(html: str) -> str:
    """The list filters (GET forms): their drop-downs offer "All", never django-filter's "---------"."""
    return "".join(re.findall(r"<form[^>]*method=\"get\".*?</form>", html, flags=re.DOTALL | re.IGNORECASE))


def _data_corpus() -> str:
    parts = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if names:
            for row in model.objects.values_list(*names):
                parts.extend(str(v) for v in row if v)
    from backoffice.models import Region

    parts.extend(r.full_name for r in Region.objects.select_related("parent__parent"))  # names built from data
    return "\n".join(parts)


def _code_names() -> set[str]:
    """Every workflow state's code name (FSM fields' choices), as a page must never show them in Chinese."""
    from django_fsm import FSMFieldMixin

    codes = set()
    for model in apps.get_models():
        for f in model._meta.fields:
            if isinstance(f, FSMFieldMixin) and f.choices:
                codes |= {str(value) for value, _label in f.flatchoices if re.fullmatch(r"[a-z_]{3,}", str(value))}
    return codes


def _crawl(language: str):
    from backoffice.models import User

    for username in ROLES:
        client = Client(raise_request_exception=False)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        client.force_login(User.objects.get(username=username))
        for url, html in _pages(client):
            yield username, url, html


@pytest.fixture
def demo_data():
    from backoffice import demo

    demo.seed_demo(teachers_per_school=2)


def test_issue14_english_pages_show_no_chinese_outside_names_and_data(demo_data):
    corpus = _data_corpus()
    leaks, pages = set(), 0
    for username, url, html in _crawl("en"):
        pages += 1
        assert "---------" not in _filter_forms(html), url
        for node in _text_nodes(html):
            assert not MICROSECONDS.search(node), (url, node)
            for run in CJK.findall(node):
                if FULL_WIDTH_ONLY.fullmatch(run):
                    if not HAN.search(node) and node not in corpus:
                        leaks.add((url, node[:60]))
                elif run not in corpus:
                    leaks.add((url, run))
    assert pages > 60
    assert not leaks, sorted(leaks)[:40]
