"""Shared check for the per-app action-matrix tests (issue 10): the buttons an object page shows are exactly
the declared transitions of its door table that the user's role and scope allow from the current state —
enabled when the guards hold, greyed out with the reason when not — and none a role could never take."""
import html
import re

from django.utils import translation
from django_fsm import FSMFieldMixin

ENABLED = re.compile(r'data-transition="([^"]+)"')
DISABLED = re.compile(r'<div class="action refused"><button type="button" disabled>([^<]*)</button>')


def allowed_transitions(obj, user, doors) -> set[str]:
    """The doors whose transition leaves the current state and whose permission (role AND scope) lets `user`."""
    field = next(f for f in obj._meta.fields if isinstance(f, FSMFieldMixin))
    state = field.get_state(obj)
    found = set()
    for name in doors:
        meta = getattr(obj, name)._django_fsm
        trans = meta.get_transition(state)
        if trans is not None and not trans.custom.get("hidden") and meta.has_transition_perm(obj, state, user):
            found.add(name)
    return found


def shown_transitions(page: str, obj, doors) -> set[str]:
    """The transition names behind the page's action buttons, enabled or greyed out (matched by label)."""
    field = next(f for f in obj._meta.fields if isinstance(f, FSMFieldMixin))
    with translation.override("zh-hans"):
        by_label = {str(t.custom.get("label", t.name)): t.name for t in field.get_all_transitions(type(obj))
                    if t.name in doors}
    shown = set(ENABLED.findall(page))
    for label in DISABLED.findall(page):
        shown.add(by_label[html.unescape(label)])
    return shown


def check_page(client, url, obj, user, doors) -> None:
    obj.refresh_from_db()
    expected = allowed_transitions(obj, user, doors)
    response = client.get(url)
    if response.status_code != 200:
        # Nobody may act on what they may not open.
        assert expected == set(), f"{user.username} may {expected} but the page is {response.status_code}"
        return
    shown = shown_transitions(response.content.decode(), obj, doors)
    assert shown == expected, f"{user.username} at {obj.status}: page shows {shown}, predicates allow {expected}"
