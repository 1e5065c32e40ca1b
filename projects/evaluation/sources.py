"""Computed indicators whose data lives in apps above `projects` (R63: budget execution lives in finance).

`projects` may not import `finance`; finance registers a provider here from its AppConfig.ready() instead.
A provider is `func(project_ids: list[int]) -> dict[int, Decimal]`, set-based over many projects, returning a
ratio (0..1, unrounded) per project it knows; a project it does not know is left out."""
from collections.abc import Callable
from decimal import Decimal

_PROVIDERS: dict[str, Callable[[list[int]], dict[int, Decimal]]] = {}


def register_indicator_source(key: str, func: Callable[[list[int]], dict[int, Decimal]]) -> None:
    _PROVIDERS[key] = func


def indicator_source(key: str) -> Callable[[list[int]], dict[int, Decimal]] | None:
    return _PROVIDERS.get(key)
