"""Entities that follow the inventory: new gear and groups get theirs without a restart."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .runtime import SmartLightingConfigEntry


@callback
def async_add_dynamic_entities(
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[SmartLightingConfigEntry], Iterable[Entity]],
) -> None:
    """Add what ``build`` makes now, and after each new inventory the entities it did not have.

    ``build`` makes every entity the current inventory calls for; only those whose unique_id
    is new are added, so calling it again is harmless. An entity whose gear left the
    inventory stays (shown unavailable or missing) until its device is removed.
    """
    known: set[str] = set()

    @callback
    def _add_new() -> None:
        new = [e for e in build(entry) if e.unique_id not in known]
        known.update(e.unique_id for e in new if e.unique_id is not None)
        if new:
            async_add_entities(new)

    _add_new()
    entry.async_on_unload(entry.runtime_data.controller.add_inventory_listener(_add_new))
