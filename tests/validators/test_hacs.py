"""The repository as HACS's checks see it: hacs.json, the license, the brand images, the layout.

Sources (hacs/integration, custom_components/hacs/):
- utils/validate.py ``HACS_MANIFEST_JSON_SCHEMA`` (no other keys, ``name`` required) and
  validate/hacsjson.py (``zip_release`` needs ``filename``).
- validate/license.py: the repository has an OSI-approved license GitHub can identify (its
  detection compares the LICENSE file with the license's canonical text).
- validate/brands.py: the integration has brand images; from Home Assistant 2026.3 a custom
  integration ships them itself in ``custom_components/<domain>/brand/``.
- validate/information.py: a README (``render_readme`` shows it as the store page).
Image sizes follow the Home Assistant brands rules: ``icon.png`` 256x256 and ``icon@2x.png``
512x512; a logo's shortest side is 128-256 px (256-512 px for ``@2x``); PNG, trimmed, transparent.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
from PIL import Image

from .common import DOMAIN, INTEGRATION, ROOT, load_json

HACS_KEYS = {
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "zip_release",
    "name",
}
BOOLEAN_KEYS = {"content_in_root", "hide_default_branch", "render_readme", "zip_release"}
BRAND = INTEGRATION / "brand"


def test_hacs_json() -> None:
    """Only keys HACS knows, of the types it expects; a minimum release this suite runs on."""
    hacs = load_json(ROOT / "hacs.json")
    assert set(hacs) - HACS_KEYS == set()
    assert isinstance(hacs["name"], str)
    assert hacs["name"]
    for key in BOOLEAN_KEYS & set(hacs):
        assert isinstance(hacs[key], bool), key
    for key in {"filename", "hacs", "homeassistant", "persistent_directory"} & set(hacs):
        assert isinstance(hacs[key], str), key
    if hacs.get("zip_release"):
        assert hacs.get("filename"), "zip_release is True, but filename is not set"
    assert not hacs.get("content_in_root", False), "the integration lives in custom_components/"
    minimum = AwesomeVersion(hacs["homeassistant"])
    assert minimum.valid
    assert minimum <= AwesomeVersion(ha_version), "this release is older than hacs.json allows"


def test_one_integration_in_custom_components() -> None:
    """HACS installs the first folder of custom_components: there is exactly ours."""
    folders = [
        p.name
        for p in (ROOT / "custom_components").iterdir()
        if p.is_dir() and p.name != "__pycache__"
    ]
    assert folders == [DOMAIN]
    assert (INTEGRATION / "manifest.json").is_file()


def test_readme() -> None:
    """HACS shows the README as the store page (render_readme)."""
    assert (ROOT / "README.md").read_text(encoding="utf-8").strip()


APACHE_SECTIONS = [
    "1. Definitions.",
    "2. Grant of Copyright License.",
    "3. Grant of Patent License.",
    "4. Redistribution.",
    "5. Submission of Contributions.",
    "6. Trademarks.",
    "7. Disclaimer of Warranty.",
    "8. Limitation of Liability.",
    "9. Accepting Warranty or Additional Liability.",
]


def test_license_is_the_apache_license_pyproject_names() -> None:
    """A LICENSE at the root with the whole Apache License 2.0, as pyproject.toml says."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = pyproject["project"]["license"]
    assert (declared if isinstance(declared, str) else declared.get("text")) == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    words = " ".join(text.split())
    assert words.startswith("Apache License Version 2.0, January 2004")
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in words
    positions = [words.find(section) for section in APACHE_SECTIONS]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "END OF TERMS AND CONDITIONS" in words
    assert len(words.split()) > 1500  # the whole text, not a summary or a pointer to it
    assert not re.search(r"\[yyyy\]|\[name of copyright owner\]", words.split("APPENDIX")[0])


def _image(name: str) -> Image.Image:
    path = BRAND / name
    assert path.is_file(), path
    image = Image.open(path)
    assert image.format == "PNG", name
    return image


def _check_trimmed_and_transparent(name: str, image: Image.Image) -> None:
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    assert alpha.getextrema()[0] == 0, f"{name} has no transparent background"
    assert alpha.getbbox() == (0, 0, *image.size), f"{name} is not trimmed"


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_brand_icon(name: str, size: int) -> None:
    """A square icon: 256x256, and 512x512 for high-DPI screens."""
    image = _image(name)
    assert image.size == (size, size)
    _check_trimmed_and_transparent(name, image)


@pytest.mark.parametrize(
    ("name", "low", "high"), [("logo.png", 128, 256), ("logo@2x.png", 256, 512)]
)
def test_brand_logo(name: str, low: int, high: int) -> None:
    """A landscape logo whose shortest side is 128-256 px (256-512 px for @2x)."""
    image = _image(name)
    width, height = image.size
    assert width > height, "the logo is landscape (icon and name side by side)"
    assert low <= min(width, height) <= high
    _check_trimmed_and_transparent(name, image)


def test_high_dpi_images_double_the_others() -> None:
    """Each @2x image is the same picture at twice the size."""
    for name in ("icon", "logo"):
        normal, double = _image(f"{name}.png"), _image(f"{name}@2x.png")
        assert double.size == (2 * normal.size[0], 2 * normal.size[1]), name


def test_dark_variants_match_the_light_ones() -> None:
    """An optional dark_ image (for dark themes) has the size and rules of its light one."""
    names = {path.name for path in BRAND.glob("*.png")}
    assert names <= {
        f"{d}{n}{x}.png" for d in ("", "dark_") for n in ("icon", "logo") for x in ("", "@2x")
    }
    for name in sorted(n for n in names if n.startswith("dark_")):
        image = _image(name)
        assert image.size == _image(name.removeprefix("dark_")).size, name
        _check_trimmed_and_transparent(name, image)
