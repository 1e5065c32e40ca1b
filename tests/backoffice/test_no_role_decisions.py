"""Issue 10: who may act is decided by the app's permissions.py predicates only. No view, service, template,
menu or panel compares a role name (or holds a set of roles) — grep the product so such a check cannot return."""
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("backoffice", "projects", "tendering", "finance", "templates")
# Where roles are declared, scoped or queried: the predicates, the single scope API, the selectors' queries, the
# user model, the demo's accounts, the deadline tables (who is reminded), the API key's acting role, and OCDS
# parties' roles (buyer, supplier: not users).
ALLOWED = re.compile(r"(^|/)(permissions\.py|scoping\.py|selectors\.py|models/users\.py|demo\.py|deadlines\.py"
                     r"|migrations/.*|management/commands/.*|api/keys\.py|ocds/.*)$")
# A role compared, tested for membership, or a set of Role members; `{% if ... role ... == / in %}` in templates.
# A table keyed by role (`RULES[user.role]`, `.get(user.role)`) decides too.
DECISION = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot in\b)|\bRole\.[A-Z_]+\s*[,)}\]]|\bhas_role\(|"
                      r"[\"']role[\"'][^)]*\)\s*(==|!=|\bin\b|\bnot in\b)|\[\s*[\w.]*\.role\s*\]|\.get\(\s*[\w.]*\.role\b|"
                      r"\{%\s*(el)?if\b[^%]*\brole\b[^%]*(==|!=|\bin\b)[^%]*%\}")


def _product_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix in (".py", ".html") and path.is_file():
                yield path.relative_to(ROOT).as_posix(), path


def test_no_role_name_decides_permission_outside_the_predicates():
    found = []
    for rel, path in _product_files():
        if ALLOWED.search(rel):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DECISION.search(line.split("#", 1)[0]):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert found == [], "\n".join(found)


def test_the_grep_catches_a_role_check(tmp_path):
    """Not vacuous: the pattern finds the shapes the product used to have."""
    for line in ('if user.role == Role.AUDITOR:', 'allowed = {Role.COUNTY_STAFF, Role.CITY_STAFF}',
                 'register_nav(_("X"), "x", roles=[Role.EXPERT])', '{% if user.role == "auditor" %}',
                 'if actor.role not in allowed_roles:', 'ok = has_role(Role.EXPERT)(user)',
                 'if getattr(user, "role", "") in WRITERS:', 'status = STEP[user.role]', 'STEP.get(user.role)'):
        assert DECISION.search(line), line
    assert not DECISION.search('{% if user.role %} · {{ user.get_role_display }}{% endif %}')
