"""Per-group lighting profiles, encrypted at rest (Fernet) with rotatable keys.

A profile holds the bounds and preferences the predictors keep for a group:
brightness and Kelvin range, target illuminance, vacancy time, and the lamp
figures the local predictor's daylight model needs. Its contents never reach
logs or diagnostics; only the admin-only ``get_profile`` action answers them (never
the key). The key is made when the entry is
first set up and kept in the entry data; ``rotate_key`` re-encrypts every
profile under a new key and then drops the old one.

Profiles are optional comfort: a damaged key or row never stops the lights.
- A key in the entry data that is not a valid Fernet key: every group runs on
  defaults and the fixable "invalid profile key" repair is raised. The key and
  the rows are kept as they are, so putting the right key back (from a backup)
  recovers every profile. ``rotate_key`` replaces such a key when no stored
  profile depends on it; the repair's fix replaces it and deletes those rows.
- A row no key can read (wrong key, damaged token, wrong SQLite type): its
  group runs on defaults, a warning is logged and the "undecryptable profiles"
  repair offers to purge it.
A row that cannot be read is never overwritten: ``set_profile`` refuses for its
group (and learning skips it) until the repair's fix or the right key.
"""

from __future__ import annotations

import asyncio
from dataclasses import fields, replace
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .const import CONF_FERNET_KEYS, DOMAIN, LOGGER
from .issues import (
    ISSUE_INVALID_KEY,
    ISSUE_UNDECRYPTABLE,
    async_clear_issue,
    async_raise_issue,
)
from .predictor import GroupLimits
from .predictor.schedule import learn_offset, validate_schedule
from .runtime import SmartLightingConfigEntry
from .store import ProfileCipher, ProfileDecryptError, ProfileKeyError, Store, StoreError

LIMIT_FIELDS = {f.name for f in fields(GroupLimits)}
SCHEDULE = "schedule"
LEARNED_OFFSET = "learned_offset_pct"
PROFILE_FIELDS = LIMIT_FIELDS | {SCHEDULE, LEARNED_OFFSET}


def ensure_key(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    """Give an entry its Fernet key the first time it is set up (an invalid one is kept)."""
    if not entry.data.get(CONF_FERNET_KEYS):
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_FERNET_KEYS: [ProfileCipher.generate_key()]}
        )


def profile_limits(base: GroupLimits, profile: dict[str, Any]) -> GroupLimits:
    """``base`` with the profile's values; raises ``ValueError`` for inconsistent values."""
    if SCHEDULE in profile:
        validate_schedule(profile[SCHEDULE])
    return replace(base, **{k: v for k, v in profile.items() if k in LIMIT_FIELDS})


class ProfileManager:
    """The decrypted profiles of one entry, kept in memory; ciphertext in the database."""

    def __init__(
        self, hass: HomeAssistant, entry: SmartLightingConfigEntry, store: Store | None
    ) -> None:
        """Manage the profiles of ``entry`` in ``store``."""
        self._hass = hass
        self._entry = entry
        self._store = store
        self._profiles: dict[int, dict[str, Any]] = {}
        self._lock = asyncio.Lock()
        self.undecryptable: set[int] = set()

    def _cipher(self) -> ProfileCipher | None:
        """The cipher of the entry's keys; None when they are not valid Fernet keys."""
        try:
            return ProfileCipher(self._entry.data.get(CONF_FERNET_KEYS))
        except ProfileKeyError:
            return None

    @property
    def key_valid(self) -> bool:
        """Whether the entry's profile keys can encrypt and decrypt."""
        return self._cipher() is not None

    async def async_load(self) -> None:
        """Decrypt every stored profile; a group whose profile cannot be read runs on defaults."""
        if self._store is None:
            return
        entry_id = self._entry.entry_id
        try:
            groups = await self._store.all_profile_groups(entry_id)
        except StoreError as err:
            LOGGER.warning("Profiles could not be read: %s", err)
            return
        cipher = self._cipher()
        if cipher is None:  # no row can be read; all are kept for the right key
            self.undecryptable.update(groups)
        else:
            for group in groups:
                await self._async_load_one(group, cipher)
        self._report_problems()

    async def _async_load_one(self, group: int, cipher: ProfileCipher) -> None:
        assert self._store is not None
        try:
            profile = await self._store.get_profile(self._entry.entry_id, group, cipher)
        except ProfileDecryptError as err:
            LOGGER.warning("Profile of group %d could not be read, using defaults: %s", group, err)
            self.undecryptable.add(group)
            return
        except StoreError as err:
            LOGGER.warning("Profile of group %d could not be read: %s", group, err)
            return
        if profile is not None:
            self._profiles[group] = profile

    def _report_problems(self) -> None:
        """Log and raise the repair for an invalid key or unreadable rows; clear the rest."""
        if not self.key_valid:
            LOGGER.error(
                "The profile key of %s is not a valid Fernet key: no profile can be read or "
                "saved and every group runs on default limits until the key is replaced",
                self._entry.title,
            )
            async_clear_issue(self._hass, self._entry, ISSUE_UNDECRYPTABLE)
            async_raise_issue(
                self._hass,
                self._entry,
                ISSUE_INVALID_KEY,
                fixable=True,
                count=str(len(self.undecryptable)),
            )
            return
        async_clear_issue(self._hass, self._entry, ISSUE_INVALID_KEY)
        if self.undecryptable:
            groups = ", ".join(str(g) for g in sorted(self.undecryptable))
            LOGGER.error(
                "The profiles of DALI group(s) %s cannot be decrypted with this entry's key; "
                "those groups run on default limits until the profiles are purged",
                groups,
            )
            async_raise_issue(
                self._hass, self._entry, ISSUE_UNDECRYPTABLE, fixable=True, groups=groups
            )
        else:
            async_clear_issue(self._hass, self._entry, ISSUE_UNDECRYPTABLE)

    def limits(self, group: int, base: GroupLimits) -> GroupLimits:
        """The limits of ``group``: its profile over ``base``, or ``base`` without one."""
        profile = self._profiles.get(group)
        if not profile:
            return base
        try:
            return profile_limits(base, profile)
        except (TypeError, ValueError):
            return base

    def schedule(self, group: int) -> dict[str, list[str]] | None:
        """The weekly schedule of ``group``, if its profile has one."""
        return self._profiles.get(group, {}).get(SCHEDULE)

    def learned_offset(self, group: int) -> float:
        """Brightness points people tend to add (or take away) from the decisions."""
        return float(self._profiles.get(group, {}).get(LEARNED_OFFSET, 0.0))

    async def async_learn(
        self,
        group: int,
        chosen_pct: float,
        decided_pct: float,
        base: GroupLimits,
        *,
        current: float | None = None,
    ) -> bool:
        """Learn from a person choosing ``chosen_pct`` where ``decided_pct`` was decided.

        ``current`` is the offset to learn from (the stored one, decayed); default the stored one.
        Returns whether a new offset was kept (not when the profile may not be saved).
        """
        try:
            self._writable_cipher(group)
        except HomeAssistantError:
            LOGGER.debug("Offset of group %d not learned: its profile cannot be saved", group)
            return False
        start = self.learned_offset(group) if current is None else current
        offset = learn_offset(start, chosen_pct, decided_pct)
        await self.async_set(group, {LEARNED_OFFSET: offset}, base)
        return True

    def _writable_cipher(self, group: int) -> ProfileCipher | None:
        """The cipher to store ``group``'s profile with (None without a database).

        Raises a translated ``HomeAssistantError`` when it may not be stored: the
        key is invalid, or the stored row cannot be read and would be lost.
        """
        if self._store is None:
            return None  # kept in memory only: nothing on disk to lose
        if (cipher := self._cipher()) is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="invalid_profile_key"
            )
        if group in self.undecryptable:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="profile_unreadable",
                translation_placeholders={"group": str(group)},
            )
        return cipher

    def has_profile(self, group: int) -> bool:
        """Whether ``group`` has a readable profile."""
        return group in self._profiles

    async def async_set(self, group: int, changes: dict[str, Any], base: GroupLimits) -> None:
        """Merge ``changes`` into the group's profile, validate and store it encrypted.

        Raises ``ValueError`` when the result is inconsistent (for example min above max),
        and a translated ``HomeAssistantError`` while the key is invalid or the group's
        stored profile cannot be read (it is never overwritten).
        """
        async with self._lock:
            cipher = self._writable_cipher(group)
            profile = {**self._profiles.get(group, {}), **changes}
            profile_limits(base, profile)  # validates
            if self._store is not None and cipher is not None:
                await self._store.put_profile(
                    self._entry.entry_id, group, profile, cipher, dt_util.utcnow()
                )
            self._profiles[group] = profile

    async def async_rotate_key(self) -> int:
        """Re-encrypt every profile under a new key, then drop the old key.

        The new key is saved beside the old one first, so a crash halfway leaves
        every row readable; profile writes wait for the rotation to finish. Keys that
        are not valid Fernet keys are dropped: only a row no key reads could depend
        on them, and such a row makes the rotation refuse and change nothing.
        """
        async with self._lock:
            if self.undecryptable:
                raise ProfileDecryptError("purge the undecryptable profiles first")
            saved = self._entry.data.get(CONF_FERNET_KEYS)
            old_keys = list(self._entry.data[CONF_FERNET_KEYS]) if self.key_valid else []
            new_key = ProfileCipher.generate_key()
            self._save_keys([new_key, *old_keys])
            rotated = 0
            if self._store is not None:
                try:
                    rotated = await self._store.rotate_profiles(
                        self._entry.entry_id,
                        ProfileCipher([new_key, *old_keys]),
                        ProfileCipher([new_key]),
                    )
                except (ProfileDecryptError, StoreError):
                    self._save_keys(saved)  # as it was, an invalid key included
                    raise
            self._save_keys([new_key])
            LOGGER.info("Profile key rotated; %d profile(s) re-encrypted", rotated)
            self._report_problems()
            return rotated

    async def async_purge_undecryptable(self) -> int:
        """Delete the profiles no key can read (the repair's fix)."""
        if self._store is None or not self.undecryptable:
            return 0
        deleted = await self._store.delete_profiles(self._entry.entry_id, self.undecryptable)
        self.undecryptable.clear()
        self._report_problems()
        return deleted

    async def async_replace_invalid_key(self) -> int:
        """Replace a key that is not a Fernet key; delete the rows it was to read (a fix).

        Returns how many profiles were deleted. Nothing happens while the key is valid.
        """
        async with self._lock:
            if self.key_valid:
                return 0
            deleted = 0
            if self._store is not None and self.undecryptable:
                deleted = await self._store.delete_profiles(
                    self._entry.entry_id, self.undecryptable
                )
            self.undecryptable.clear()
            self._save_keys([ProfileCipher.generate_key()])
            LOGGER.warning(
                "The invalid profile key was replaced; %d unreadable profile(s) deleted", deleted
            )
            self._report_problems()
            return deleted

    def _save_keys(self, keys: Any) -> None:
        self._hass.config_entries.async_update_entry(
            self._entry, data={**self._entry.data, CONF_FERNET_KEYS: keys}
        )
