"""How other apps add to a child's record without the people app importing them.

An app registers, in its AppConfig.ready():
- a tab on the child's record (`register_child_tab`), shown when its `visible` says so;
- a chronology provider (`register_chronology_provider`): a function that takes the
  ChildAccess the choke point handed out and returns ChronologyEntry items, with the
  kinds it produces, so the chronology filter lists them.
Providers receive the ChildAccess, never a bare child id, so they cannot be called for a
child the viewer may not see; each provider still decides which of its own records that
viewer's agency may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openmash.access.selectors import ChildAccess
    from openmash.accounts.actor import Actor
    from openmash.people.selectors import ChronologyEntry


@dataclass(frozen=True)
class ChildTab:
    key: str
    label: str
    url_name: str  # takes child_id
    order: int = 100
    visible: Callable[[ChildAccess, Actor], bool] = lambda access, actor: True


@dataclass(frozen=True)
class ChronologyProvider:
    name: str
    kinds: dict[str, str]
    entries: Callable[[ChildAccess, Actor], list[ChronologyEntry]]


_tabs: dict[str, ChildTab] = {}
_providers: dict[str, ChronologyProvider] = {}


def register_child_tab(tab: ChildTab) -> None:
    _tabs[tab.key] = tab


def register_chronology_provider(provider: ChronologyProvider) -> None:
    _providers[provider.name] = provider


def child_tabs() -> list[ChildTab]:
    return sorted(_tabs.values(), key=lambda tab: (tab.order, tab.key))


def chronology_providers() -> list[ChronologyProvider]:
    return list(_providers.values())


def visible_tabs(access: ChildAccess, actor: Actor) -> list[dict[str, Any]]:
    return [
        {"key": tab.key, "label": tab.label, "url_name": tab.url_name}
        for tab in child_tabs()
        if tab.visible(access, actor)
    ]
