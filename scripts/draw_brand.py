"""Draw the brand images Home Assistant shows for the integration (in its brand/ folder).

    .venv/bin/python scripts/draw_brand.py

Writes icon.png (256x256), icon@2x.png (512x512), logo.png (256 px tall), logo@2x.png (512 px
tall) and dark_logo.png / dark_logo@2x.png (light lettering for dark themes), the sizes Home
Assistant's brands rules ask for. The picture: a teal rounded square holding an amber light bulb
with a signal arc, for lights that adapt by themselves. Everything is drawn at four times the
largest size and scaled down, which smooths the edges.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

BRAND = Path(__file__).resolve().parents[1] / "custom_components" / "smart_lighting_ai" / "brand"
SUPERSAMPLE = 4
TEAL_TOP = (20, 184, 166)
TEAL_BOTTOM = (15, 118, 110)
AMBER = (251, 191, 36)
AMBER_DEEP = (217, 119, 6)
CAP = (241, 245, 249)
CAP_SHADE = (148, 163, 184)
INK_LIGHT = (19, 78, 74)  # lettering on a light background
INK_DARK = (241, 245, 249)  # lettering on a dark background
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)


def _rounded_mask(size: int, radius: float) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), radius=radius, fill=255)
    return mask


def _gradient(size: int) -> Image.Image:
    """A vertical teal gradient, lighter at the top."""
    column = Image.new("RGBA", (1, size))
    for y in range(size):
        t = y / (size - 1)
        column.putpixel(
            (0, y),
            (*(round(a + (b - a) * t) for a, b in zip(TEAL_TOP, TEAL_BOTTOM, strict=True)), 255),
        )
    return column.resize((size, size))


def _arc(
    draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float, width: float
) -> None:
    """A signal arc towards the upper right, with round ends."""
    cx, cy = centre
    start, end = -62.0, -18.0
    draw.arc(
        (cx - radius, cy - radius, cx + radius, cy + radius),
        start=start,
        end=end,
        fill=(255, 255, 255, 235),
        width=round(width),
    )
    inner = radius - width / 2
    for angle in (start, end):
        x = cx + inner * math.cos(math.radians(angle))
        y = cy + inner * math.sin(math.radians(angle))
        draw.ellipse(
            (x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(255, 255, 255, 235)
        )


def draw_icon(size: int) -> Image.Image:
    """The square icon at ``size`` pixels (drawn larger, then scaled down)."""
    return _icon(size * SUPERSAMPLE).resize((size, size), Image.Resampling.LANCZOS)


def _icon(s: int) -> Image.Image:
    """The icon drawn at ``s`` pixels."""
    mask = _rounded_mask(s, 0.22 * s)
    icon = _gradient(s)

    cx, cy, r = 0.44 * s, 0.41 * s, 0.205 * s

    # a soft amber glow behind the bulb
    glow = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse(
        (cx - 1.45 * r, cy - 1.45 * r, cx + 1.45 * r, cy + 1.45 * r), fill=(*AMBER, 110)
    )
    icon = Image.alpha_composite(icon, glow.filter(ImageFilter.GaussianBlur(0.09 * s)))

    layer = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    # the glass: a disc narrowing into a neck
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*AMBER, 255))
    neck_top, neck_bottom = cy + 0.62 * r, cy + 0.98 * r + 0.05 * s
    draw.polygon(
        [
            (cx - 0.80 * r, neck_top),
            (cx + 0.80 * r, neck_top),
            (cx + 0.50 * r, neck_bottom),
            (cx - 0.50 * r, neck_bottom),
        ],
        fill=(*AMBER, 255),
    )
    # a highlight on the glass
    draw.arc(
        (cx - 0.70 * r, cy - 0.70 * r, cx + 0.70 * r, cy + 0.70 * r),
        start=195,
        end=250,
        fill=(255, 247, 214, 230),
        width=round(0.09 * r),
    )
    # the filament: two supports and a loop between them
    fy = cy + 0.10 * r
    for side in (-1, 1):
        draw.line(
            [(cx + side * 0.28 * r, fy), (cx + side * 0.28 * r, neck_bottom)],
            fill=(*AMBER_DEEP, 255),
            width=round(0.07 * r),
        )
    draw.arc(
        (cx - 0.28 * r, fy - 0.28 * r, cx + 0.28 * r, fy + 0.28 * r),
        start=180,
        end=360,
        fill=(*AMBER_DEEP, 255),
        width=round(0.07 * r),
    )
    # the cap: two screw rings and the contact
    ring_h, gap = 0.085 * s, 0.012 * s
    top = neck_bottom + gap
    for i in range(2):
        y0 = top + i * (ring_h + gap)
        half = 0.56 * r - i * 0.04 * r
        draw.rounded_rectangle(
            (cx - half, y0, cx + half, y0 + ring_h), radius=ring_h / 2, fill=(*CAP, 255)
        )
    tip_top = top + 2 * (ring_h + gap)
    draw.chord(
        (cx - 0.26 * r, tip_top - 0.16 * r, cx + 0.26 * r, tip_top + 0.30 * r),
        start=0,
        end=180,
        fill=(*CAP_SHADE, 255),
    )
    # the signal arcs
    for radius in (1.42 * r, 1.80 * r):
        _arc(draw, (cx, cy), radius, 0.045 * s)

    icon = Image.alpha_composite(icon, layer)
    icon.putalpha(ImageChops.multiply(icon.getchannel("A"), mask))
    return icon


def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_FILES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)  # type: ignore[return-value]


def draw_logo(height: int, ink: tuple[int, int, int]) -> Image.Image:
    """The icon with the name beside it, ``height`` pixels tall, trimmed."""
    h = height * SUPERSAMPLE
    icon = _icon(h)
    font = _font(round(0.34 * h))
    words = [("Smart Lighting ", ink), ("AI", AMBER_DEEP if ink == INK_LIGHT else AMBER)]
    text_width = sum(font.getlength(word) for word, _ in words)
    canvas = Image.new("RGBA", (h + round(0.14 * h + text_width) + h, h), (0, 0, 0, 0))
    canvas.alpha_composite(icon)
    draw = ImageDraw.Draw(canvas)
    x = h + 0.14 * h
    for word, colour in words:
        draw.text((x, h / 2), word, font=font, fill=(*colour, 255), anchor="lm")
        x += font.getlength(word)
    canvas = canvas.crop(canvas.getchannel("A").getbbox())
    width = math.ceil(canvas.width / SUPERSAMPLE / 2) * 2  # even, so @2x is exactly double
    return canvas.resize((width, height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write every brand image."""
    BRAND.mkdir(parents=True, exist_ok=True)
    images = {"icon.png": draw_icon(256), "icon@2x.png": draw_icon(512)}
    for prefix, ink in (("", INK_LIGHT), ("dark_", INK_DARK)):
        double = draw_logo(512, ink)
        images[f"{prefix}logo@2x.png"] = double
        images[f"{prefix}logo.png"] = double.resize(
            (double.width // 2, double.height // 2), Image.Resampling.LANCZOS
        )
    for name, image in images.items():
        image.save(BRAND / name, optimize=True)
        print(f"{name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
