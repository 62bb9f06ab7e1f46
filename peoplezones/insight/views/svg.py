"""Charts and maps drawn on the server as SVG: no script, no tiles, and they print.

Each is an `<svg role="img">` with a title and a description; the figures it shows are always
in a table on the same page too. Hot and cold classes are told apart by pattern as well as
colour (hatching, dots, stripes), and the legend says both.
"""

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from PIL import Image

from peoplezones.insight import hotspots as engine

INK = "#0b0c0c"


@dataclass(frozen=True)
class Series:
    """One line of a chart: its label, values (None: no data that month) and look."""

    label: str
    values: Sequence[float | None]
    colour: str
    dash: str
    marker: str  # circle, square or triangle


SERIES_LOOKS = (
    ("#1d70b8", "", "circle"),
    ("#d4351c", "8 5", "square"),
    (INK, "2 4", "triangle"),
)


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _marker(shape: str, x: float, y: float, colour: str, size: float = 4.0) -> str:
    if shape == "square":
        return (
            f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
            f'height="{2 * size:.1f}" fill="{colour}"/>'
        )
    if shape == "triangle":
        return (
            f'<path d="M{x:.1f} {y - size - 1:.1f}L{x + size + 1:.1f} {y + size:.1f}'
            f'L{x - size - 1:.1f} {y + size:.1f}Z" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'


def legend_swatch(series: Series) -> SafeString:
    """A small picture of a series' line and marker, for a legend written in HTML."""
    dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
    return mark_safe(  # noqa: S308 (numbers and fixed names only)
        '<svg width="40" height="16" viewBox="0 0 40 16" aria-hidden="true" focusable="false">'
        f'<line x1="2" y1="8" x2="38" y2="8" stroke="{series.colour}" stroke-width="3"{dash}/>'
        f"{_marker(series.marker, 20, 8, series.colour)}</svg>"
    )


def line_chart(
    *,
    series: list[Series],
    x_labels: list[str],
    title: str,
    description: str,
    chart_id: str,
    y_label: str,
) -> SafeString:
    """A line chart of a few series over the same months, with gaps where a value is None."""
    width, height = 640, 320
    left, right, top, bottom = 64, 40, 24, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    top_value = max(values) if values else 1.0
    step = _nice_step(top_value)
    y_max = max(step, math.ceil(top_value / step) * step)
    count = len(x_labels)

    def x_at(index: int) -> float:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    parts = [
        f'<svg class="pz-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'xmlns="http://www.w3.org/2000/svg" style="width:100%;height:auto;max-width:48rem">',
        format_html('<title id="{}-title">{}</title>', chart_id, title),
        format_html('<desc id="{}-desc">{}</desc>', chart_id, description),
        '<g font-family="Arial, Helvetica, sans-serif" font-size="13" fill="#0b0c0c">',
    ]
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_at(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_number(tick)}</text>'
        )
        tick += step
    every = max(1, math.ceil(count / 7))
    for index, label in enumerate(x_labels):
        if index % every == 0:
            x = x_at(index)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" '
                f'stroke="{INK}"/>'
                + format_html(
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x:.1f}",
                    top + plot_h + 22,
                    label,
                )
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
        + format_html(
            '<text x="{}" y="{}" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>',
            14,
            top + plot_h / 2,
            14,
            top + plot_h / 2,
            y_label,
        )
    )
    for line in series:
        path, pen_down = [], False
        for index, value in enumerate(line.values):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x_at(index):.1f} {y_at(value):.1f}")
            pen_down = True
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        parts.append(
            f'<path d="{"".join(path)}" fill="none" stroke="{line.colour}" stroke-width="3"{dash}/>'
        )
        for index, value in enumerate(line.values):
            if value is not None:
                parts.append(_marker(line.marker, x_at(index), y_at(value), line.colour))
    parts.append("</g></svg>")
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (escaped above)


# Each hot/cold class: colour, pattern and the words the legend uses for both.
CLASS_STYLES: dict[str, dict[str, Any]] = {
    "hot_99": {
        "colour": "#942514",
        "pattern": "cross",
        "label": _("Hot spot, 99 % confidence"),
        "look": _("dark red, cross-hatched"),
    },
    "hot_95": {
        "colour": "#d4351c",
        "pattern": "diagonal",
        "label": _("Hot spot, 95 % confidence"),
        "look": _("red, hatched"),
    },
    "hot_90": {
        "colour": "#f47738",
        "pattern": "dots",
        "label": _("Hot spot, 90 % confidence"),
        "look": _("orange, dotted"),
    },
    "cold_90": {
        "colour": "#5694ca",
        "pattern": "dots",
        "label": _("Cold spot, 90 % confidence"),
        "look": _("light blue, dotted"),
    },
    "cold_95": {
        "colour": "#1d70b8",
        "pattern": "stripes",
        "label": _("Cold spot, 95 % confidence"),
        "look": _("blue, striped"),
    },
    "cold_99": {
        "colour": "#003078",
        "pattern": "grid",
        "label": _("Cold spot, 99 % confidence"),
        "look": _("dark blue, grid-lined"),
    },
}
CLASS_LABELS = {name: style["label"] for name, style in CLASS_STYLES.items()} | {
    engine.NOT_SIGNIFICANT: _("Not significant"),
}


def _pattern(
    pattern_id: str, style: dict[str, Any], size: float, origin: tuple[float, float] = (0, 0)
) -> str:
    line = size * 0.14
    marks = {
        "cross": f'<path d="M0 0L{size} {size}M{size} 0L0 {size}" stroke="#fff" '
        f'stroke-width="{line:.2f}"/>',
        "diagonal": f'<path d="M0 {size}L{size} 0" stroke="#fff" stroke-width="{line:.2f}"/>',
        "dots": f'<circle cx="{size / 2:.2f}" cy="{size / 2:.2f}" r="{size * 0.16:.2f}" '
        'fill="#fff"/>',
        "stripes": f'<path d="M0 {size / 2:.2f}H{size}" stroke="#fff" stroke-width="{line:.2f}"/>',
        "grid": f'<path d="M0 {size / 2:.2f}H{size}M{size / 2:.2f} 0V{size}" stroke="#fff" '
        f'stroke-width="{line:.2f}"/>',
    }
    return (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" x="{origin[0]:.1f}" '
        f'y="{origin[1]:.1f}" width="{size:g}" height="{size:g}">'
        f'<rect width="{size:g}" height="{size:g}" fill="{style["colour"]}"/>'
        f"{marks[style['pattern']]}</pattern>"
    )


def class_swatch(class_name: str) -> SafeString:
    """A small square in a class's colour and pattern, for the legend (decorative)."""
    style = CLASS_STYLES[class_name]
    pattern_id = f"swatch-{class_name}"
    return mark_safe(  # noqa: S308 (fixed values only)
        '<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f"<defs>{_pattern(pattern_id, style, 12)}</defs>"
        f'<rect x="1" y="1" width="22" height="22" fill="url(#{pattern_id})" stroke="{INK}" '
        'stroke-width="1.5"/></svg>'
    )


def _rings(geometry: Any) -> list[Any]:
    polygons = getattr(geometry, "geoms", [geometry])
    rings = []
    for polygon in polygons:
        if polygon.is_empty or not hasattr(polygon, "exterior"):
            continue
        rings.append(polygon.exterior)
        rings.extend(polygon.interiors)
    return rings


def _density_image(grid: engine.Grid, density: Any) -> tuple[str, tuple[int, int, int, int]]:
    """The kernel density as a PNG (one pixel a cell, darker is denser), and its cell extent."""
    rows, columns, shape = grid.raster_index()
    values = np.zeros(shape)
    values[rows, columns] = np.asarray(density, float)
    top = float(np.percentile(values[rows, columns], 99.5)) if len(grid) else 0.0
    scaled = np.clip(values / top, 0, 1) if top > 0 else values * 0
    rgba = np.zeros((*shape, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 76, 44, 146
    rgba[..., 3] = (scaled**0.7 * 170).astype(np.uint8)
    image = Image.fromarray(np.flipud(rgba), "RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    extent = (int(grid.ix.min()), int(grid.iy.min()), shape[1], shape[0])
    return base64.b64encode(buffer.getvalue()).decode(), extent


# Shades of the kernel density drawn under hexagons (squares get one pixel a cell instead).
DENSITY_SHADES = 8


def _path(outline: Any, *, x: Any, y: Any) -> str:
    return "M" + "L".join(f"{x(e):.1f} {y(n):.1f}" for e, n in outline[:-1]) + "Z"


def _density_hexagons(grid: Any, density: Any, *, x: Any, y: Any) -> list[str]:
    """The kernel density under H3 hexagons: each hexagon filled in one of DENSITY_SHADES
    shades (darker is denser), one path a shade."""
    values = np.asarray(density, float)
    top = float(np.percentile(values, 99.5)) if len(values) else 0.0
    if top <= 0:
        return []
    shade = (np.clip(values / top, 0, 1) ** 0.7 * DENSITY_SHADES).astype(int)
    shade = np.minimum(shade, DENSITY_SHADES - 1)
    parts = []
    for level in range(1, DENSITY_SHADES):
        chosen = np.flatnonzero(shade == level)
        if not len(chosen):
            continue
        d = "".join(_path(outline, x=x, y=y) for outline in grid.outlines(chosen))
        opacity = level / DENSITY_SHADES * 170 / 255
        parts.append(f'<path d="{d}" fill="rgb(76,44,146)" fill-opacity="{opacity:.2f}"/>')
    return parts


def cell_map(
    *,
    grid: engine.Grid | engine.HexGrid,
    classes: Any,
    title: str,
    description: str,
    map_id: str,
    outlines: Sequence[tuple[Any, str]] = (),
    labels: Sequence[tuple[float, float, str]] = (),
    density: Any = None,
) -> SafeString:
    """A map of hot and cold cells in British National Grid metres (north up), with outlines
    (`(geometry, "solid" | "dashed")`), numbered labels at points and, if given, the kernel
    density as shading underneath. Not-significant cells are not drawn."""
    size = float(grid.size)
    hexagons = isinstance(grid, engine.HexGrid)
    boxes = [geometry.bounds for geometry, _style in outlines if not geometry.is_empty]
    if len(grid) and hexagons:
        boxes.append(
            (
                float(grid.centre_e.min() - size),
                float(grid.centre_n.min() - size),
                float(grid.centre_e.max() + size),
                float(grid.centre_n.max() + size),
            )
        )
    elif len(grid):
        boxes.append(
            (
                float(grid.corner_e.min()),
                float(grid.corner_n.min()),
                float(grid.corner_e.max() + size),
                float(grid.corner_n.max() + size),
            )
        )
    min_e = min(box[0] for box in boxes)
    min_n = min(box[1] for box in boxes)
    max_e = max(box[2] for box in boxes)
    max_n = max(box[3] for box in boxes)
    pad = max(max_e - min_e, max_n - min_n) * 0.03
    min_e, min_n, max_e, max_n = min_e - pad, min_n - pad, max_e + pad, max_n + pad
    width, height = max_e - min_e, max_n - min_n
    stroke = max(width, height) / 400
    font = max(width, height) / 40

    def x(e: float) -> float:
        return e - min_e

    def y(n: float) -> float:
        return max_n - n

    # Patterns start at a cell corner, so that each cell shows one whole mark.
    origin = ((-min_e) % size, max_n % size)
    defs = "".join(
        _pattern(f"{map_id}-{name}", style, size, origin) for name, style in CLASS_STYLES.items()
    )
    parts = [
        f'<svg class="pz-cell-map" viewBox="0 0 {width:.1f} {height:.1f}" role="img" '
        f'aria-labelledby="{map_id}-title {map_id}-desc" xmlns="http://www.w3.org/2000/svg" '
        'preserveAspectRatio="xMidYMid meet" style="width:100%;height:auto;max-height:80vh;'
        'background:#f3f2f1;border:1px solid #b1b4b6">',
        str(format_html('<title id="{}-title">{}</title>', map_id, title)),
        str(format_html('<desc id="{}-desc">{}</desc>', map_id, description)),
        f"<defs>{defs}</defs>",
    ]
    if density is not None and len(grid) and hexagons:
        parts.extend(_density_hexagons(grid, density, x=x, y=y))
    elif density is not None and len(grid):
        png, (ix0, iy0, columns, rows) = _density_image(grid, density)
        parts.append(
            f'<image href="data:image/png;base64,{png}" x="{x(ix0 * size):.1f}" '
            f'y="{y((iy0 + rows) * size):.1f}" width="{columns * size:.1f}" '
            f'height="{rows * size:.1f}" preserveAspectRatio="none" '
            'style="image-rendering:pixelated"/>'
        )
    classes = np.asarray(classes)
    for name in CLASS_STYLES:
        chosen = np.flatnonzero(classes == name)
        if not len(chosen):
            continue
        if hexagons:
            d = "".join(_path(outline, x=x, y=y) for outline in grid.outlines(chosen))
        else:
            d = "".join(
                f"M{x(grid.corner_e[i]):.1f} {y(grid.corner_n[i] + size):.1f}h{size:g}v{size:g}"
                f"h-{size:g}z"
                for i in chosen
            )
        parts.append(
            f'<path d="{d}" fill="url(#{map_id}-{name})" stroke="{INK}" '
            f'stroke-width="{min(stroke * 0.6, size * 0.06):.2f}">'
            + str(format_html("<title>{}: {}</title>", CLASS_LABELS[name], len(chosen)))
            + "</path>"
        )
    for geometry, style in outlines:
        d = "".join(
            "M" + "L".join(f"{x(e):.1f} {y(n):.1f}" for e, n in ring.coords) + "Z"
            for ring in _rings(geometry)
        )
        dash = f' stroke-dasharray="{stroke * 4:.1f} {stroke * 3:.1f}"' if style == "dashed" else ""
        parts.append(
            f'<path d="{d}" fill="none" stroke="{INK}" stroke-width="{stroke * 1.6:.2f}"{dash}/>'
        )
    # Each label marks a cell (e, n is its centre): the cell gets a heavy outline and the label
    # sits just off its north-east corner, so that it hides neither the cell nor its pattern.
    radius = font * 0.65
    for e, n, text in labels:
        if hexagons:
            # The hexagon holding the label's point, outlined; the label off its top right.
            (position,) = grid.locate([e], [n])
            outline = grid.outlines([max(int(position), 0)])[0]
            edge = (
                f'<path d="{_path(outline, x=x, y=y)}" fill="none" stroke="{INK}" '
                f'stroke-width="{stroke * 2:.2f}"/>'
                if position >= 0
                else ""
            )
            cx = x(float(outline[:, 0].max())) + radius * 0.9
            cy = y(float(outline[:, 1].max())) - radius * 0.9
        else:
            left, top = x(e - size / 2), y(n + size / 2)
            cx, cy = left + size + radius * 0.9, top - radius * 0.9
            edge = (
                f'<rect x="{left:.1f}" y="{top:.1f}" width="{size:g}" height="{size:g}" '
                f'fill="none" stroke="{INK}" stroke-width="{stroke * 2:.2f}"/>'
            )
        parts.append(
            edge + f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="#fff" '
            f'stroke="{INK}" stroke-width="{stroke:.2f}"/>'
            + str(
                format_html(
                    '<text x="{}" y="{}" font-size="{}" font-weight="bold" text-anchor="middle" '
                    'font-family="Arial, Helvetica, sans-serif" fill="#0b0c0c">{}</text>',
                    f"{cx:.1f}",
                    f"{cy + font * 0.28:.1f}",
                    f"{font * 0.8:.1f}",
                    text,
                )
            )
        )
    scale = _nice_step(width / 4, 1)
    bar_x, bar_y = width * 0.04, height - width * 0.04
    scale_text = f"{scale / 1000:g} km" if scale >= 1000 else f"{scale:g} m"
    parts.append(
        f'<path d="M{bar_x:.1f} {bar_y - font * 0.3:.1f}v{font * 0.3:.1f}h{scale:.1f}'
        f'v-{font * 0.3:.1f}" fill="none" stroke="{INK}" stroke-width="{stroke * 1.2:.2f}"/>'
        f'<text x="{bar_x:.1f}" y="{bar_y - font * 0.5:.1f}" font-size="{font * 0.8:.1f}" '
        f'font-family="Arial, Helvetica, sans-serif" fill="{INK}">{escape(scale_text)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (numbers, fixed names and escaped text)
