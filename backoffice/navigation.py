"""Menu items and dashboard panels that each workflow app registers in its AppConfig.ready()."""
from collections.abc import Callable
from dataclasses import dataclass

import rules
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str = ""  # the permission (a rules predicate in the app's permissions.py) that shows it; empty: everyone
    order: int = 100
    group: str | Promise = ""
    # A page where the user acts as their own organisation (an institution's bids, an expert's panels): a
    # superuser without that role could only get "access denied" there, so it is not offered to them.
    acting: bool = False


@dataclass
class Panel:
    title: str | Promise
    value: object = None
    url: str = ""
    note: str | Promise = ""
    items: list | None = None
    level: str = ""  # "danger": shown as a red alert


NAV: list[NavItem] = []
PANELS: list[tuple[int, Callable]] = []


def register_nav(label, url_name, *, perm="", order=100, group="", acting=False):
    """`perm`: the permission its page asks, so the menu offers a page exactly to those it opens for."""
    if not any(n.url_name == url_name for n in NAV):
        NAV.append(NavItem(label=label, url_name=url_name, perm=perm, order=order, group=group, acting=acting))
        NAV.sort(key=lambda n: n.order)


def register_panel(func: Callable, *, order: int = 100):
    """`func(user) -> Panel | None`; None hides the panel for that user."""
    if func not in [f for _, f in PANELS]:
        PANELS.append((order, func))
        PANELS.sort(key=lambda p: p[0])


def nav_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [n for n in NAV if _shows(n, user)]


def _shows(item: NavItem, user) -> bool:
    if not item.perm:
        return True
    if item.acting:
        # The predicate itself, without Django's "a superuser has every permission": acting as one's own
        # institution or as an expert needs that role.
        return rules.has_perm(item.perm, user)
    return user.has_perm(item.perm)


@dataclass
class NavGroup:
    label: str | Promise  # empty: the items stand on their own in the menu bar
    items: list


def nav_groups_for(user) -> list[NavGroup]:
    """The user's menu, one entry per group in the order of its first item; a group holding a single item for
    this user is shown as that item alone."""
    groups: dict[str, NavGroup] = {}
    loose = 0
    for item in nav_for(user):
        key = str(item.group) if item.group else f"-{loose}"
        if not item.group:
            loose += 1
        groups.setdefault(key, NavGroup(label=item.group, items=[])).items.append(item)
    result = []
    for group in groups.values():
        if len(group.items) == 1:
            group.label = ""
        result.append(group)
    return result


def panels_for(user) -> list[Panel]:
    panels = []
    for _, func in PANELS:
        panel = func(user)
        if panel is not None:
            panels.append(panel)
    return panels
