"""What a bus scan found: control gear and the groups they form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conversions import MAX_ARC_LEVEL, MIN_ARC_LEVEL

DT_COLOUR = 8
INVENTORY_VERSION = 1


@dataclass(frozen=True, slots=True)
class StoredSettings:
    """What a gear keeps in memory besides limits and groups (read once, see ``gear_config``).

    ``scenes``: 16 levels, 255 where the gear is in no scene; 255 as power-on level is "the last
    level" and as system-failure level "no change"; ``extended_fade``: IEC 62386-102 9.5.2 byte.
    """

    scenes: tuple[int, ...]
    power_on_level: int
    system_failure_level: int
    extended_fade: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe form."""
        return {
            "scenes": list(self.scenes),
            "power_on_level": self.power_on_level,
            "system_failure_level": self.system_failure_level,
            "extended_fade": self.extended_fade,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoredSettings:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            tuple(int(v) for v in data["scenes"]),
            int(data["power_on_level"]),
            int(data["system_failure_level"]),
            int(data.get("extended_fade", 0)),
        )


@dataclass(frozen=True, slots=True)
class GearInfo:
    """One control gear as the scan found it."""

    short_address: int
    device_types: tuple[int, ...]
    groups: frozenset[int]
    min_level: int = MIN_ARC_LEVEL
    max_level: int = MAX_ARC_LEVEL
    fade_time: int = 0
    tc_coolest_mirek: int | None = None
    tc_warmest_mirek: int | None = None
    gtin: int | None = None
    serial: int | None = None
    stored: StoredSettings | None = None  # scenes and power-on/failure levels, once read

    @property
    def key(self) -> str:
        """What identifies the fitting for good (contract C11).

        ``"{gtin}-{serial}"`` from bank 0, else ``"a{short_address}"``.
        """
        if self.gtin is not None and self.serial is not None:
            return f"{self.gtin}-{self.serial}"
        return f"a{self.short_address}"

    @property
    def supports_colour_temperature(self) -> bool:
        """Whether the gear is DT8 with known colour temperature limits."""
        return DT_COLOUR in self.device_types and self.tc_coolest_mirek is not None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe form."""
        return {
            "short_address": self.short_address,
            "device_types": list(self.device_types),
            "groups": sorted(self.groups),
            "min_level": self.min_level,
            "max_level": self.max_level,
            "fade_time": self.fade_time,
            "tc_coolest_mirek": self.tc_coolest_mirek,
            "tc_warmest_mirek": self.tc_warmest_mirek,
            "gtin": self.gtin,
            "serial": self.serial,
            **({"stored": self.stored.to_dict()} if self.stored is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GearInfo:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            short_address=int(data["short_address"]),
            device_types=tuple(int(d) for d in data["device_types"]),
            groups=frozenset(int(g) for g in data["groups"]),
            min_level=int(data["min_level"]),
            max_level=int(data["max_level"]),
            fade_time=int(data["fade_time"]),
            tc_coolest_mirek=data.get("tc_coolest_mirek"),
            tc_warmest_mirek=data.get("tc_warmest_mirek"),
            gtin=data.get("gtin"),  # absent from inventories saved before identities
            serial=data.get("serial"),
            stored=StoredSettings.from_dict(data["stored"]) if data.get("stored") else None,
        )


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A DALI group and what its members have in common."""

    number: int
    members: tuple[GearInfo, ...]

    @property
    def min_level(self) -> int:
        """The lowest level any member can take."""
        return min(g.min_level for g in self.members)

    @property
    def max_level(self) -> int:
        """The highest level any member can take."""
        return max(g.max_level for g in self.members)

    @property
    def supports_colour_temperature(self) -> bool:
        """Whether every member is DT8 and their ranges overlap."""
        return all(g.supports_colour_temperature for g in self.members) and (
            self.mirek_range is not None
        )

    @property
    def mirek_range(self) -> tuple[int, int] | None:
        """The (coolest, warmest) mirek range every DT8 member can show, if any."""
        coolest = [g.tc_coolest_mirek for g in self.members if g.tc_coolest_mirek is not None]
        warmest = [g.tc_warmest_mirek for g in self.members if g.tc_warmest_mirek is not None]
        if not coolest or not warmest or max(coolest) > min(warmest):
            return None
        return max(coolest), min(warmest)

    @property
    def fade_time(self) -> int | None:
        """The fade time every member shares, or None when they differ."""
        times = {g.fade_time for g in self.members}
        return times.pop() if len(times) == 1 else None


@dataclass(frozen=True, slots=True)
class Inventory:
    """Every control gear on one bus.

    ``missed_scans`` counts, per short address, the clean scans in a row at which a known gear
    did not answer; such a gear stays in ``gear`` (see :func:`.scan.merge_scan`).
    """

    gear: tuple[GearInfo, ...]
    missed_scans: dict[int, int] = field(default_factory=dict, hash=False)

    def by_key(self, key: str) -> GearInfo | None:
        """The gear whose :attr:`GearInfo.key` is ``key``, if any."""
        return next((g for g in self.gear if g.key == key), None)

    def ungrouped(self) -> tuple[GearInfo, ...]:
        """Gear that belongs to no group."""
        return tuple(g for g in self.gear if not g.groups)

    def groups(self) -> dict[int, GroupInfo]:
        """Groups that have at least one member, by number."""
        numbers = sorted({n for g in self.gear for n in g.groups})
        return {n: GroupInfo(n, tuple(g for g in self.gear if n in g.groups)) for n in numbers}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe form."""
        data: dict[str, Any] = {
            "version": INVENTORY_VERSION,
            "gear": [g.to_dict() for g in self.gear],
        }
        if self.missed_scans:
            data["missed_scans"] = {str(a): n for a, n in sorted(self.missed_scans.items())}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inventory:
        """Rebuild from :meth:`to_dict` output; raises ``ValueError`` on an unknown version."""
        if data.get("version") != INVENTORY_VERSION:
            raise ValueError(f"unknown inventory version {data.get('version')!r}")
        missed = data.get("missed_scans", {})  # absent from inventories saved before it existed
        return cls(
            tuple(GearInfo.from_dict(g) for g in data["gear"]),
            {int(a): int(n) for a, n in missed.items()},
        )
