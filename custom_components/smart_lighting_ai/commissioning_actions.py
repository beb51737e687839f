"""The addressing actions (contract C12): ``commission`` and ``set_groups``.

``commission`` gives the gear without a short address one (every gear with ``readdress``).
A run takes seconds to minutes on real hardware: its progress is shown in a persistent
notification (Settings > Notifications, the bell in the sidebar) that is updated at each step
and ends with what was done, and in the log. After a real run the bus is rescanned, so the new
fittings' lights appear without a restart. "Nothing to do" (every gear already has an address)
is not an error: the answer is ``addressed: []`` with ``nothing_to_do: true`` and a ``message``.

``set_groups`` makes the targeted fitting lights' gear members of exactly the given groups,
reads the membership back, and rescans those gear so group lights appear or go.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import voluptuous as vol
from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.util.hass_dict import HassKey

from .compat import referenced_entity_ids
from .const import CONF_CONFIG_ENTRY_ID, DOMAIN, LOGGER
from .dali import GearInfo, Inventory, ScanUnreliableError, merge_scan, scan_bus_result
from .dali.commissioning import (
    CommissioningError,
    CommissioningProgress,
    CommissioningResult,
    GearNotAnsweringError,
    GroupsNotVerifiedError,
    NoFreeShortAddressError,
    ProgrammingFailedError,
    UnresolvedCollisionError,
    commission,
    set_groups,
)
from .entity import entry_key
from .runtime import SmartLightingConfigEntry
from .services import (
    ActionTable,
    admin_only,
    async_apply_inventory,
    async_register_actions,
    resolve_entry,
)

SERVICE_COMMISSION = "commission"
SERVICE_SET_GROUPS = "set_groups"
ATTR_READDRESS = "readdress"
ATTR_DRY_RUN = "dry_run"
ATTR_GROUPS = "groups"
MAX_GROUP = 15

COMMISSION_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_READDRESS, default=False): cv.boolean,
        vol.Optional(ATTR_DRY_RUN, default=False): cv.boolean,
    }
)
# The range is checked by the handler, so that the error is a translated one.
SET_GROUPS_SCHEMA = cv.make_entity_service_schema(
    {vol.Required(ATTR_GROUPS): vol.All(cv.ensure_list, [vol.Coerce(int)])}
)
DATA_RUNNING: HassKey[set[str]] = HassKey(f"{DOMAIN}_commissioning")


def notification_id(entry: SmartLightingConfigEntry) -> str:
    """The persistent notification that shows a commissioning run of ``entry``."""
    return f"{DOMAIN}_commissioning_{entry.entry_id}"


NOTIFICATION_TITLE = "DALI commissioning"


class _Notifier:
    """Keeps one persistent notification up to date while commissioning runs (and logs it)."""

    def __init__(self, hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
        self._hass = hass
        self._entry = entry

    def show(self, message: str) -> None:
        LOGGER.info("DALI commissioning of %s: %s", self._entry.title, message)
        persistent_notification.async_create(
            self._hass,
            message,
            title=f"{NOTIFICATION_TITLE}: {self._entry.title}",
            notification_id=notification_id(self._entry),
        )

    @callback
    def progress(self, step: CommissioningProgress) -> None:
        if step.stage in ("checking", "done"):
            return  # the start and the end have their own texts
        self.show(
            f"Working: {step.found} fittings found so far, {step.collisions} address "
            f"collisions met. Last step: {step.message}."
        )


def _addresses(result: CommissioningResult) -> str:
    return ", ".join(str(g.short_address) for g in result.addressed) or "none"


async def _async_commission(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    running = hass.data.setdefault(DATA_RUNNING, set())
    if entry.entry_id in running:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="commissioning_running",
            translation_placeholders={"bus": entry.title},
        )
    running.add(entry.entry_id)
    try:
        return await _async_run(hass, entry, call.data[ATTR_READDRESS], call.data[ATTR_DRY_RUN])
    finally:
        running.discard(entry.entry_id)


async def _async_run(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, readdress: bool, dry_run: bool
) -> ServiceResponse:
    data = entry.runtime_data
    notifier = _Notifier(hass, entry)
    notifier.show(
        "Started: looking for fittings without a short address. On a real line this takes a "
        "few seconds per fitting; the lights stay usable meanwhile."
    )
    known = [] if readdress else [g.short_address for g in data.controller.inventory.gear]
    try:
        result = await commission(
            data.bus,
            readdress=readdress,
            dry_run=dry_run,
            on_progress=notifier.progress,
            reserved=known,  # a missing fitting keeps its address for when it comes back
        )
    except CommissioningError as err:
        if err.partial.addressed and not dry_run:
            await _async_rescan(hass, entry)
        try:
            _raise_commissioning_error(err)
        except HomeAssistantError as failure:
            notifier.show(f"Stopped: {failure}")
            raise
    except Exception:
        persistent_notification.async_dismiss(hass, notification_id(entry))
        raise
    response: dict[str, Any] = {
        "addressed": [g.to_dict() for g in result.addressed],
        "collisions": result.collisions,
        "dry_run": dry_run,
        "nothing_to_do": result.nothing_to_do,
    }
    if result.nothing_to_do:
        response["message"] = "Every fitting already has a short address: nothing to do."
        notifier.show(response["message"])
        return response
    count = len(result.addressed)
    if dry_run:
        notifier.show(
            f"Dry run finished: {count} fittings would get a short address "
            f"({_addresses(result)}). Nothing was programmed."
        )
        return response
    await _async_rescan(hass, entry)
    notifier.show(
        f"Finished: {count} fittings got a short address ({_addresses(result)}), "
        f"{result.collisions} address collisions resolved. Their lights are in Home Assistant now."
    )
    return response


def _raise_commissioning_error(err: CommissioningError) -> None:
    addressed = str(len(err.partial.addressed))
    if isinstance(err, UnresolvedCollisionError):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="commission_collision",
            translation_placeholders={
                "random_address": f"{err.random_address:#08x}",
                "rounds": str(err.rounds),
                "addressed": addressed,
            },
        ) from err
    if isinstance(err, NoFreeShortAddressError):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="commission_no_free_address",
            translation_placeholders={"left": str(err.left), "addressed": addressed},
        ) from err
    assert isinstance(err, ProgrammingFailedError)
    raise HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="commission_program_failed",
        translation_placeholders={"short_address": str(err.short_address), "addressed": addressed},
    ) from err


async def _async_rescan(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, addresses: Iterable[int] | None = None
) -> None:
    """Scan (all or some short addresses) and merge, so entities follow at once."""
    data = entry.runtime_data
    scanned = (
        await scan_bus_result(data.bus)
        if addresses is None
        else await scan_bus_result(data.bus, addresses)
    )
    try:
        inventory, _report = merge_scan(data.controller.inventory, scanned)
    except ScanUnreliableError:
        LOGGER.warning("The DALI scan after an addressing change read nothing; run scan_bus")
        return
    await async_apply_inventory(hass, entry, _without_moved(inventory, scanned.inventory))


def _without_moved(inventory: Inventory, read: Inventory) -> Inventory:
    """``inventory`` without the old places of fittings read at a new short address.

    A fitting re-addressed by ``commission`` keeps its identity (GTIN and serial), so its old
    short address is not a missing fitting.
    """
    read_at = {g.key: g.short_address for g in read.gear}
    kept = tuple(
        g for g in inventory.gear if read_at.get(g.key, g.short_address) == g.short_address
    )
    addresses = {g.short_address for g in kept}
    missed = {a: n for a, n in inventory.missed_scans.items() if a in addresses}
    return Inventory(kept, missed)


def resolve_fitting_lights(
    hass: HomeAssistant, call: ServiceCall
) -> list[tuple[str, SmartLightingConfigEntry, GearInfo]]:
    """(entity id, entry, gear) of every targeted fitting light of a loaded entry.

    Lights reached through an area, device, floor or label that are not fitting lights of
    ours are left out; a named entity that is not one is an error.
    """
    registry = er.async_get(hass)
    selected = referenced_entity_ids(hass, call)
    named = set(selected.referenced)
    found = []
    for entity_id in sorted(named | selected.indirectly_referenced):
        entity = registry.async_get(entity_id)
        entry: SmartLightingConfigEntry | None = None
        key = None
        if entity is not None and entity.platform == DOMAIN and entity.domain == "light":
            entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
        if entry is not None and entry.state is ConfigEntryState.LOADED:
            prefix = f"{entry_key(entry)}-gear-"
            if str(entity.unique_id).startswith(prefix):  # type: ignore[union-attr]
                key = str(entity.unique_id)[len(prefix) :]  # type: ignore[union-attr]
        if key is None or entry is None:
            if entity_id in named:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="not_a_fitting_light",
                    translation_placeholders={"entity_id": entity_id},
                )
            continue
        gear = entry.runtime_data.controller.inventory.by_key(key)
        if gear is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="fitting_not_in_inventory",
                translation_placeholders={"entity_id": entity_id},
            )
        found.append((entity_id, entry, gear))
    if not found:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_fitting_lights")
    return found


async def _async_set_groups(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    groups = sorted(set(call.data[ATTR_GROUPS]))
    if outside := [g for g in groups if not 0 <= g <= MAX_GROUP]:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="group_out_of_range",
            translation_placeholders={"groups": ", ".join(map(str, outside))},
        )
    targets = resolve_fitting_lights(hass, call)
    written: dict[str, tuple[SmartLightingConfigEntry, list[int]]] = {}
    fittings: dict[str, Any] = {}
    try:
        for entity_id, entry, gear in targets:
            placeholders = {"entity_id": entity_id, "short_address": str(gear.short_address)}
            try:
                read = await set_groups(entry.runtime_data.bus, gear.short_address, groups)
            except GearNotAnsweringError as err:
                if err.garbled:
                    raise HomeAssistantError(
                        translation_domain=DOMAIN,
                        translation_key="fitting_garbled",
                        translation_placeholders=placeholders,
                    ) from err
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="fitting_not_answering",
                    translation_placeholders=placeholders,
                ) from err
            except GroupsNotVerifiedError as err:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="groups_not_verified",
                    translation_placeholders={
                        **placeholders,
                        "wanted": ", ".join(map(str, sorted(err.wanted))) or "-",
                        "read": ", ".join(map(str, sorted(err.read))) or "-",
                    },
                ) from err
            written.setdefault(entry.entry_id, (entry, []))[1].append(gear.short_address)
            fittings[entity_id] = {"short_address": gear.short_address, "groups": sorted(read)}
    finally:
        for entry, addresses in written.values():  # what was written shows, even after an error
            await _async_rescan(hass, entry, addresses)
    return {"fittings": fittings}


ACTIONS: ActionTable = {
    SERVICE_COMMISSION: (
        admin_only(_async_commission),
        COMMISSION_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_SET_GROUPS: (
        admin_only(_async_set_groups),
        SET_GROUPS_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
}


@callback
def async_setup_commissioning_services(hass: HomeAssistant) -> None:
    """Register ``commission`` and ``set_groups``, translating bus errors."""
    async_register_actions(hass, ACTIONS)
