"""Menu items and dashboard panels that each workflow app registers in its AppConfig.ready()."""
from dataclasses import dataclass
from typing import Callable

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset  # empty: everyone signed in
    order: int = 100
    group: str | Promise = ""


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


def register_nav(label, url_name, *, roles=(), order=100, group=""):
    if not any(n.url_name == url_name for n in NAV):
        NAV.append(NavItem(label=label, url_name=url_name, roles=frozenset(str(r) for r in roles), order=order, group=group))
        NAV.sort(key=lambda n: n.order)


def register_panel(func: Callable, *, order: int = 100):
    """`func(user) -> Panel | None`; None hides the panel for that user."""
    if func not in [f for _, f in PANELS]:
        PANELS.append((order, func))
        PANELS.sort(key=lambda p: p[0])


def nav_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [n for n in NAV if not n.roles or user.is_superuser or user.role in n.roles]


def panels_for(user) -> list[Panel]:
    panels = []
    for _, func in PANELS:
        panel = func(user)
        if panel is not None:
            panels.append(panel)
    return panels
