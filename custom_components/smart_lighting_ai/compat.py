"""The Home Assistant APIs that changed between 2025.4 (the oldest release we support) and today.

Each function uses the newer API where the running release has it and the older one otherwise,
so the rest of the integration calls one name on every release from 2025.4 to 2026.11.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

try:  # 2025.8 moved target resolution to helpers.target; 2026.8 removed the old one
    from homeassistant.helpers.target import (  # type: ignore[import-not-found,unused-ignore]
        SelectedEntities,
        TargetSelection,
    )
    from homeassistant.helpers.target import (  # type: ignore[import-not-found,unused-ignore]
        async_extract_referenced_entity_ids as _extract_from_target,
    )
except ImportError:  # 2025.4 - 2026.7: helpers.service takes the call itself
    from homeassistant.helpers.service import (  # type: ignore[attr-defined,no-redef,unused-ignore]
        SelectedEntities,
    )
    from homeassistant.helpers.service import (  # type: ignore[attr-defined,unused-ignore]
        async_extract_referenced_entity_ids as _extract_from_call,
    )

    TargetSelection = None  # type: ignore[assignment,misc,unused-ignore]

# 2026.9 deprecated DeviceInfo(via_device=(domain, id)) in favour of the parent's registry id
# (via_device=... stops working in 2027.8); 2025.4 knows only the tuple.
VIA_DEVICE_ID = "via_device_id" in (
    getattr(DeviceInfo, "__dataclass_fields__", None) or getattr(DeviceInfo, "__annotations__", {})
)


def referenced_entity_ids(hass: HomeAssistant, call: ServiceCall) -> SelectedEntities:
    """The entities a call targets (by entity, device, area, floor or label)."""
    if TargetSelection is not None:
        return _extract_from_target(hass, TargetSelection(call.data))
    return _extract_from_call(hass, call)


def child_device_info(
    parent_identifier: tuple[str, str], parent_device_id: str | None, **fields: Any
) -> DeviceInfo:
    """A DeviceInfo with ``fields``, linked to the device it is reached through."""
    if VIA_DEVICE_ID:
        if parent_device_id:
            fields["via_device_id"] = parent_device_id
    else:
        fields["via_device"] = parent_identifier
    info: DeviceInfo = DeviceInfo(**fields)  # type: ignore[typeddict-item,unused-ignore]
    return info


def device_by_identifier(
    hass: HomeAssistant, identifier: tuple[str, str], config_entry_id: str
) -> dr.DeviceEntry | None:
    """The device of ``config_entry_id`` with ``identifier``.

    2026.11 deprecated ``async_get_device`` (identifiers are unique only per config entry since
    then) in favour of ``async_get_device_by_identifier``; 2025.4 has only the former.
    """
    registry = dr.async_get(hass)
    if hasattr(registry, "async_get_device_by_identifier"):
        found: dr.DeviceEntry | None = registry.async_get_device_by_identifier(
            identifier, config_entry_id
        )
        return found
    return registry.async_get_device(identifiers={identifier})
