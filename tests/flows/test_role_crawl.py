"""Issues 10 and 14: what each role sees. The demo (one object in every state that has actions) is crawled as every
role, in Chinese, from the menu through every list to the detail pages it links, plus one object of every state
of every model with an action panel. On each page:

(a) every link answers for the role (no 403, 404 or server error), and every action form shown answers: a
    transition button's move is allowed by the role's predicates and the guards (no "not allowed" after a click),
    any other form is posted in a rolled-back transaction and neither refuses the role nor fails;
(b) the action panel shows exactly the moves the predicates allow from the current state; a greyed-out one only
    with a guard's reason, never "your role does not allow";
(c) no English code name ("applied", "draft → announced"), no rule number ("R34："), no time with microseconds and
    no "---------" drop-down choice on a Chinese page.

The demo is built once for the module (rolled back at the end); each role is a test of its own."""
import re
from collections import deque
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.action_matrix import allowed_transitions, shown_transitions
from tests.flows.test_demo_crawl import SKIP, _shape
from tests.flows.test_words_crawl import (
    MICROSECONDS,
    RULE,
    _code_names,
    _data_corpus,
    _text_nodes,
)

pytestmark = pytest.mark.django_db

# The demo's accounts, and a province that is not the demo's (it sees none of it, and nothing it sees may break).
ROLES = ["ministry", "province", "office", "city", "county", "school", "institution", "institution2", "expert",
         "evaluator", "finance", "auditor", "admin", "henan_province"]
# Roles with moves on the demo's objects (the others read, or act through forms other than a panel).
ACTORS = {"province", "office", "county", "institution", "admin"}
# One page of each shape (digits folded): detail pages of every state come from _one_per_state.
PER_SHAPE, PER_USER = 1, 160
REFUSED = re.compile(r'<div class="action refused">\s*<button[^>]*>([^<]*)</button>\s*<ul class="why">(.*?)</ul>',
                     re.DOTALL)
NOT_ALLOWED = re.compile(r"不允许|无权|not allowed|does not allow", re.IGNORECASE)
# Forms every page carries, or that only change the reader's own session.
IGNORED_FORMS = {"logout", "set_language", "notices_read"}


def _details():
    """Detail pages with an action panel: url name -> (model, the transition view whose doors the panel shows)."""
    from finance.models import SettlementStatement
    from finance.views import StatementTransitionView
    from projects.enrolment.models import Enrolment, Exemption
    from projects.enrolment.outcomes.models import CompletionScheme
    from projects.enrolment.outcomes.views import SchemeView
    from projects.enrolment.views import EnrolmentDetailView
    from projects.enrolment.views_records import ExemptionDetailView
    from projects.evaluation.models import Evaluation
    from projects.evaluation.views import EvaluationTransitionView
    from projects.models import AnnualPlan, Project
    from projects.views import PlanTransitionView, ProjectTransitionView
    from tendering.models import Bid, Lot, Tender
    from tendering.views.office import LotTransitionView, TenderTransitionView
    from tendering.views.portal import BidTransitionView

    return {
        "projects:plan_detail": (AnnualPlan, PlanTransitionView),
        "projects:project_detail": (Project, ProjectTransitionView),
        "enrolment:enrolment_detail": (Enrolment, EnrolmentDetailView),
        "enrolment:exemption_detail": (Exemption, ExemptionDetailView),
        "enrolment:scheme": (CompletionScheme, SchemeView),
        "evaluation:evaluation_detail": (Evaluation, EvaluationTransitionView),
        "finance:statement_detail": (SettlementStatement, StatementTransitionView),
        "tendering:tender_detail": (Tender, TenderTransitionView),
        "tendering:lot_detail": (Lot, LotTransitionView),
        "tendering:portal_bid_detail": (Bid, BidTransitionView),
    }


def _one_per_state() -> list[str]:
    """A detail URL for one object in every state of every model with an action panel."""
    urls = []
    for url_name, (model, _view) in _details().items():
        for status in model.objects.values_list("status", flat=True).distinct():
            pk = model.objects.filter(status=status).order_by("pk").values_list("pk", flat=True).first()
            urls.append(reverse(url_name, args=[pk]))
    return urls


class _Page(HTMLParser):
    """Links, GET forms' targets and POST forms (their fields' default values and their buttons)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = {"action": a.get("action") or "", "data": {}, "buttons": []}
                self.forms.append(self._form)
            elif a.get("action"):
                self.links.append(a["action"])
        elif self._form is not None:
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("file", "checkbox", "radio", "submit"):
                self._form["data"].setdefault(name, a.get("value") or "")
            elif tag == "select" and name:
                self._select = name
            elif tag == "option" and self._select and (self._select not in self._form["data"] or "selected" in a):
                self._form["data"][self._select] = a.get("value", "")
            elif tag == "button" and a.get("type", "submit") == "submit":
                self._form["buttons"].append(a.get("data-transition") or a.get("data-action") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _target(match):
    name = match.url_name if not match.namespace else f"{match.namespace}:{match.url_name}"
    return name, getattr(match.func, "view_class", None)


def _post_rolled_back(client, url, data):
    class Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            response = client.post(url, data)
            result["status"] = response.status_code
            result["messages"] = [str(m) for m in get_messages(response.wsgi_request)]
            result["body"] = response.content.decode(errors="replace") if response.status_code == 200 else ""
            raise Rollback
    except Rollback:
        pass
    client.cookies.pop("messages", None)  # a rolled-back post leaves no message for the next page
    return result


def _check_form(client, user, page, form, seen) -> list[str]:
    """(a): a POST form shown to the user answers for them."""
    from backoffice.selectors import visible_or_404
    from backoffice.workflow import refusals

    action = urljoin(page, form["action"] or page)
    try:
        match = resolve(urlsplit(action).path)
    except Resolver404:
        return [f"{page}: a form posts to {action}, which does not exist"]
    name, view_class = _target(match)
    if name in IGNORED_FORMS:
        return []
    transition = form["data"].get("transition", "")
    key = (name, transition or tuple(form["buttons"]))
    if key in seen:
        return []
    seen.add(key)
    from backoffice.transitions import TransitionView

    if transition and view_class is not None and issubclass(view_class, TransitionView):
        try:
            obj = visible_or_404(view_class.selector, user=user, pk=match.kwargs["pk"])
        except Exception as exc:  # noqa: BLE001  a 404 or a refusal: both are a defect here
            return [f"{page}: “{transition}” offered on an object the role cannot reach ({type(exc).__name__})"]
        found = refusals(obj, transition, user)
        return [f"{page}: “{transition}” is offered but refused: {found}"] if found else []
    result = _post_rolled_back(client, action, form["data"])
    problems = []
    if result["status"] in (403, 404, 405) or result["status"] >= 500:
        problems.append(f"{page}: the form {name} {key[1]} answers {result['status']}")
    refused = [m for m in result["messages"] if NOT_ALLOWED.search(m)]
    if refused or NOT_ALLOWED.search(" ".join(re.findall(r'class="errorlist[^"]*">(.*?)</ul>', result["body"], re.DOTALL))):
        problems.append(f"{page}: the form {name} {key[1]} says the role may not: {refused}")
    return problems


def _check_page(user, url, html, codes, arrow, corpus) -> list[str]:
    """(b) greyed-out actions carry a guard's reason; (c) no code names, no "---------"."""
    problems = []
    if "---------" in html:
        problems.append(f"{url}: a drop-down offers “---------”")
    for label, reasons in REFUSED.findall(html):
        texts = [unescape(t).strip() for t in re.findall(r"<li>(.*?)</li>", reasons, re.DOTALL)]
        if not texts or any(NOT_ALLOWED.search(t) for t in texts):
            problems.append(f"{url}: “{unescape(label)}” greyed out without a guard's reason: {texts}")
    for node in _text_nodes(html):
        if node in codes or arrow.search(node):
            problems.append(f"{url}: code name on a Chinese page: {node[:60]}")
        if MICROSECONDS.search(node) or (RULE.search(node) and node not in corpus):
            problems.append(f"{url}: a rule number or a time with microseconds: {node[:60]}")
    return problems


def _check_panel(client, user, url, match, status, html, acted: list) -> list[str]:
    """(b): the action panel equals what the predicates allow (nothing to act on a page one cannot open)."""
    details = _details()
    name, _view = _target(match)
    if name not in details:
        return []
    model, view_class = details[name]
    obj = model.objects.get(pk=match.kwargs["pk"])
    expected = allowed_transitions(obj, user, view_class.doors)
    if status != 200:
        return [f"{url} answers {status} but the role may {sorted(expected)}"] if expected else []
    acted.extend(expected)
    shown = shown_transitions(html, obj, view_class.doors) & set(view_class.doors)  # not a question's buttons
    if shown != expected:
        return [f"{url} ({obj.status}): shows {sorted(shown)}, the predicates allow {sorted(expected)}"]
    return []


def crawl_as(user, state_urls, corpus) -> tuple[list[str], int, list[str]]:
    """The problems found, the pages read and the moves the action panels offered."""
    from backoffice.navigation import nav_for

    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(user)
    codes = _code_names()
    arrow = re.compile(r"\b(" + "|".join(sorted(codes)) + r")\b\s*→|→\s*\b(" + "|".join(sorted(codes)) + r")\b")
    linked_from: dict[str, str] = {}
    queue = deque(["/"] + [reverse(item.url_name) for item in nav_for(user)] + list(state_urls))
    for url in queue:
        linked_from.setdefault(url, "the menu")
    for url in state_urls:
        linked_from[url] = ""  # visited for its state, not because a page links it
    seen, shapes, problems, forms_seen, pages, acted = set(), {}, [], set(), 0, []
    while queue and pages < PER_USER:
        url = queue.popleft()
        path = urlsplit(url).path
        is_state_url = url in state_urls
        if url in seen or SKIP.match(path) or path.startswith(("/api/", "/admin/")):
            continue
        if not is_state_url and shapes.get(_shape(path), 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[_shape(path)] = shapes.get(_shape(path), 0) + 1
        response = client.get(url)
        status, source = response.status_code, linked_from.get(url, "")
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        html = response.content.decode(errors="replace") if "text/html" in response.get("Content-Type", "") else ""
        if match is not None:
            problems += _check_panel(client, user, url, match, status, html, acted)
        if source and (status in (403, 404) or status >= 500):
            problems.append(f"{source} links {url}, which answers {status}")
        if status != 200 or not html:
            continue
        pages += 1
        problems += _check_page(user, url, html, codes, arrow, corpus)
        parser = _Page()
        parser.feed(html)
        for form in parser.forms:
            problems += _check_form(client, user, url, form, forms_seen)
        for href in parser.links:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                link = parts.path + (f"?{parts.query}" if parts.query else "")
                linked_from.setdefault(link, url)
                queue.append(link)
    return problems, pages, acted


def _henan_province_user():
    from backoffice.models import Organisation, OrganisationKind, Role
    from tests.factories import UserFactory, region

    henan = Organisation.objects.create(kind=OrganisationKind.PROVINCE_DEPARTMENT, name="河南省教育厅",
                                        region=region("410000"))
    UserFactory(username="henan_province", role=Role.PROVINCE_STAFF, organisation=henan)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo once for the module's tests, inside a transaction rolled back when they are done."""
    from backoffice import demo as demo_module

    with django_db_blocker.unblock(), transaction.atomic():
        demo_module.seed_demo(teachers_per_school=2)
        _henan_province_user()
        yield _one_per_state(), _data_corpus()
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", ROLES)
def test_issue10_14_each_role_sees_only_what_it_may_do(role, demo):
    from backoffice.models import User

    problems, pages, acted = crawl_as(User.objects.get(username=role), *demo)
    assert pages >= 5, pages
    assert problems == [], "\n".join(problems)
    if role in ACTORS:  # not vacuous: the roles that act on the demo met action panels with moves to compare
        assert acted, role


def test_the_crawl_catches_each_kind_of_defect(demo):
    """Not vacuous: each check flags the defect it looks for, on the demo's own objects."""
    from backoffice.models import User
    from projects.actions import PROJECT_DOORS
    from projects.models import Project

    province, county = User.objects.get(username="province"), User.objects.get(username="county")
    codes = _code_names()
    arrow = re.compile(r"\b(applied|rejected)\b\s*→")
    page = ('<main><div class="action refused"><button type="button" disabled>批准</button><ul class="why">'
            '<li>您的角色或管辖范围不允许在此执行“批准”。</li></ul></div><select><option value="">---------</option>'
            '</select><p>applied → rejected</p><p>R34：不符合</p><p>16:15:46.593027</p></main>')
    found = _check_page(province, "/x/", page, codes, arrow, "")
    assert len(found) == 5, found

    project = next(p for p in Project.objects.all() if allowed_transitions(p, province, PROJECT_DOORS))
    url = reverse("projects:project_detail", args=[project.pk])
    client = Client()
    client.force_login(province)
    assert _check_panel(client, province, url, resolve(url), 200, "<main></main>", [])  # an allowed move not shown
    name = min(allowed_transitions(project, province, PROJECT_DOORS))
    form = {"action": reverse("projects:project_transition", args=[project.pk]), "data": {"transition": name},
            "buttons": [name]}
    assert _check_form(client, province, url, form, set()) == []
    client.force_login(county)
    assert _check_form(client, county, url, form, set())  # the county may not take the province's move
    settle = {"action": reverse("finance:settle"), "data": {}, "buttons": [""]}
    assert _check_form(client, county, "/finance/contracts/", settle, set())  # answers 403 for the county
