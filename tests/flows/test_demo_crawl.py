"""Issue 11 #8: the demo as every role and as an anonymous visitor, every page and download it links to,
answers without a server error. The crawl follows same-site links and forms' GET targets breadth-first,
visiting at most a few URLs of each shape (digits folded), so it covers every page type in bounded time."""
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

START = ["/", "/enrolment/verify/", "/tendering/notices/", "/enrolment/publicity/"]
SKIP = re.compile(r"^/(logout|i18n|jsi18n|static|admin/(logout|password|jsi18n))")
PER_SHAPE, PER_USER = 2, 260


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append(attrs["href"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get" and attrs.get("action"):
            self.found.append(attrs["action"])


def _shape(path):
    return re.sub(r"\d+", "N", path)


def crawl(client) -> dict[str, int]:
    seen, shapes, statuses = set(), {}, {}
    queue = deque(START)
    while queue and len(statuses) < PER_USER:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or SKIP.match(path) or shapes.get(_shape(path), 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[_shape(path)] = shapes.get(_shape(path), 0) + 1
        response = client.get(url)
        statuses[url] = response.status_code
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.found:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return statuses


ROLES = [None, "province", "office", "ministry", "city", "county", "school", "institution", "institution2", "expert",
         "evaluator", "finance", "auditor", "admin"]


def test_demo_has_no_server_error_for_any_role():
    from backoffice import demo
    from backoffice.models import User

    demo.seed_demo(teachers_per_school=2)
    errors, visited = {}, {}
    for username in ROLES:
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(User.objects.get(username=username))
        statuses = crawl(client)
        visited[username] = len(statuses)
        errors.update({(username, url): code for url, code in statuses.items() if code >= 500})
    # The crawl really went through the site: every signed-in role reached many pages.
    assert all(n > 5 for who, n in visited.items() if who), str(visited)
    assert errors == {}, str(visited)
