"""The action-matrix check (issue 10): on an object page, for every persona, the buttons shown are exactly the
doors whose transition leaves the current state and whose permission (role AND scope) lets that user act.
Enabled buttons carry data-transition; a greyed one (its guard fails now) is matched by its label."""
import re

from django_fsm import FSMFieldMixin

REFUSED = re.compile(r'<div class="action refused"><button type="button" disabled>([^<]*)</button>')


def fsm_field(obj):
    return next(f for f in obj._meta.fields if isinstance(f, FSMFieldMixin))


def allowed_doors(obj, user, doors) -> set[str]:
    field = fsm_field(obj)
    state = field.get_state(obj)
    found = set()
    for t in field.get_all_transitions(type(obj)):
        if t.name in doors and t.source in (state, "*") and not t.custom.get("hidden"):
            if getattr(obj, t.name)._django_fsm.has_transition_perm(obj, state, user):
                found.add(t.name)
    return found


def shown(body: str, objects) -> set[str]:
    labels = {str(t.custom.get("label", t.name)): t.name
              for obj in objects for t in fsm_field(obj).get_all_transitions(type(obj))}
    return set(re.findall(r'data-transition="([^"]+)"', body)) | {labels[x.strip()] for x in REFUSED.findall(body)}


def check_page(login, personas, url, objects_and_doors) -> dict:
    """Assert the buttons for every persona; answer {persona: buttons} so a test can also say who acts."""
    seen = {}
    for name, user in personas.items():
        for obj, _doors in objects_and_doors:
            obj.refresh_from_db()
        response = login(user).get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        expected = set().union(*(allowed_doors(obj, user, doors) for obj, doors in objects_and_doors))
        seen[name] = shown(body, [obj for obj, _doors in objects_and_doors])
        assert seen[name] == expected, f"{name} on {url} (HTTP {response.status_code})"
    return seen


def undoored(model, doors) -> set[str]:
    """Transitions a person fires (not hidden) that have no door: their button could never be pressed."""
    field = fsm_field(model)
    return {t.name for t in field.get_all_transitions(model) if not t.custom.get("hidden")} - set(doors)
