"""The fee timeline as a step chart: plain SVG text built with ElementTree, no plotting library.

Time runs along the x axis (linear, labelled in the hotel's zone), the fee up the y axis (0 to
the booking total). Each segment of the schedule is one ``<g class="step">`` carrying its
machine values (``data-fee``, ``data-start``, ``data-end``: the same strings as the UI JSON) and
its label; "now", when known, is a dashed line in a ``<g class="now">``. Everything drawn comes
from a `Preview`, so the picture agrees with the text and with the quotes.

Pixel positions are floats: they place ink, they are not money.

Example:
    >>> from penalty import Booking, Policy
    >>> from penalty.preview import preview
    >>> policy = Policy.from_gotadi([{"startDate": "2021-05-12T18:00:00+07:00",
    ...     "endDate": "2021-05-13T18:00:00+07:00", "type": "PERCENT", "percent": "70%",
    ...     "currency": "VND", "nights": "", "amount": "", "description": ""}])
    >>> timeline = policy.timeline(Booking(total="3000000", currency="VND"))
    >>> svg = render(preview(timeline, "en"))
    >>> svg.count('class="step"')
    3
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING

from penalty.instants import to_micros

if TYPE_CHECKING:  # types only: `penalty.preview.types` renders a preview with this module
    from penalty.preview.types import Line, Preview

__all__ = ["HEIGHT", "WIDTH", "render"]

WIDTH, HEIGHT = 960, 440
_LEFT, _RIGHT, _TOP, _BOTTOM = 130, 40, 70, 112
_PLOT_W = WIDTH - _LEFT - _RIGHT
_PLOT_H = HEIGHT - _TOP - _BOTTOM
_FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
_SIZE = 13
_TICK_ROWS = 3
_ROW_HEIGHT = 32
_HOUR = 3_600_000_000
_COLORS = {"free": "#2e7d32", "partial": "#ef6c00", "full": "#c62828"}

Box = tuple[float, float, float, float]


def _f(value: float) -> str:
    return f"{value:.1f}"


def _width(text: str, size: int = _SIZE) -> float:
    """A generous estimate of rendered text width (no font metrics in pure SVG)."""
    return 0.6 * size * len(text)


def _overlaps(box: Box, boxes: Iterable[Box]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b1x and b0x < x1 and y0 < b1y and b0y < y1 for b0x, b0y, b1x, b1y in boxes)


class _Canvas:
    """The SVG tree under construction and the x/y scales."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        self.root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "width": str(WIDTH),
                "height": str(HEIGHT),
                "viewBox": f"0 0 {WIDTH} {HEIGHT}",
                "font-family": _FONT,
                "font-size": str(_SIZE),
                "role": "img",
            },
        )
        ET.SubElement(self.root, "title").text = preview.heading
        ET.SubElement(self.root, "desc").text = preview.summary
        ET.SubElement(
            self.root, "rect", {"width": str(WIDTH), "height": str(HEIGHT), "fill": "#ffffff"}
        )
        points = [to_micros(tick.at) for tick in preview.chart.ticks]
        if preview.now is not None:
            points.append(to_micros(preview.now.at))
        low, high = (min(points), max(points)) if points else (0, 0)
        pad = max((high - low) // 8, 6 * _HOUR)
        self.x0, self.x1 = low - pad, high + pad
        self.total = Fraction(preview.total)
        self.labels: list[Box] = []

    def x(self, micros: int | None, *, default: float) -> float:
        if micros is None:
            return default
        return _LEFT + _PLOT_W * (micros - self.x0) / (self.x1 - self.x0)

    def y(self, fee: Fraction) -> float:
        return _TOP + _PLOT_H * float(1 - fee / self.total)

    def text(
        self, parent: ET.Element, x: float, y: float, content: str, **attrs: str
    ) -> ET.Element:
        node = ET.SubElement(parent, "text", {"x": _f(x), "y": _f(y), **attrs})
        node.text = content
        return node

    def line(
        self, parent: ET.Element, x1: float, y1: float, x2: float, y2: float, **attrs: str
    ) -> None:
        coords = {"x1": _f(x1), "y1": _f(y1), "x2": _f(x2), "y2": _f(y2)}
        ET.SubElement(parent, "line", {**coords, **attrs})

    def place(self, centre: float, candidates: list[float], width: float) -> tuple[float, float]:
        """A free spot for a label of ``width`` centred near ``centre``: (x centre, baseline)."""
        left = min(max(centre - width / 2, 4), WIDTH - 4 - width)
        for baseline in candidates:
            box = (left, baseline - _SIZE, left + width, baseline + 3)
            if not _overlaps(box, self.labels):
                self.labels.append(box)
                return left + width / 2, baseline
        self.labels.append((left, candidates[0] - _SIZE, left + width, candidates[0] + 3))
        return left + width / 2, candidates[0]


def _micros(line: Line) -> tuple[int | None, int | None]:
    return (
        None if line.start is None else to_micros(line.start),
        None if line.end is None else to_micros(line.end),
    )


def _frame(canvas: _Canvas) -> None:
    preview, root = canvas.preview, canvas.root
    canvas.text(root, _LEFT, 30, preview.heading, **{"font-size": "16", "font-weight": "bold"})
    axes = ET.SubElement(root, "g", {"class": "axes", "stroke": "#333333", "stroke-width": "1"})
    canvas.line(axes, _LEFT, _TOP, _LEFT, _TOP + _PLOT_H)
    canvas.line(axes, _LEFT, _TOP + _PLOT_H, _LEFT + _PLOT_W, _TOP + _PLOT_H)
    canvas.text(
        root,
        _LEFT + _PLOT_W / 2,
        HEIGHT - 10,
        preview.chart.times_text,
        **{"text-anchor": "middle", "fill": "#555555"},
    )
    caption = canvas.text(
        root, 18, _TOP + _PLOT_H / 2, preview.chart.title, **{"text-anchor": "middle"}
    )
    caption.set("transform", f"rotate(-90 18 {_f(_TOP + _PLOT_H / 2)})")


def _levels(canvas: _Canvas) -> None:
    """Gridlines and y labels at each fee level, the total always included."""
    preview = canvas.preview
    levels = {Fraction(line.fee): line.fee_text for line in preview.lines}
    levels[canvas.total] = preview.total_text
    group = ET.SubElement(canvas.root, "g", {"class": "levels"})
    taken: list[float] = []
    for fee in sorted(levels, reverse=True):
        y = canvas.y(fee)
        canvas.line(group, _LEFT, y, _LEFT + _PLOT_W, y, stroke="#e0e0e0")
        if all(abs(y - other) >= _SIZE + 2 for other in taken):
            taken.append(y)
            canvas.text(group, _LEFT - 8, y + 4, levels[fee], **{"text-anchor": "end"})


def _ticks(canvas: _Canvas) -> None:
    """A tick and a two-line label at each boundary; crowded labels go to lower rows."""
    group = ET.SubElement(canvas.root, "g", {"class": "ticks"})
    row_ends = [float("-inf")] * _TICK_ROWS
    base = _TOP + _PLOT_H
    for tick in canvas.preview.chart.ticks:
        x = canvas.x(to_micros(tick.at), default=_LEFT)
        node = ET.SubElement(group, "g", {"class": "tick", "data-at": tick.at.isoformat()})
        canvas.line(node, x, _TOP, x, base, stroke="#bdbdbd", **{"stroke-dasharray": "2 3"})
        canvas.line(node, x, base, x, base + 5, stroke="#333333")
        width = max(_width(tick.date_text, 11), _width(tick.time_text, 11))
        for row in range(_TICK_ROWS):
            if x - width / 2 > row_ends[row] + 6:
                row_ends[row] = x + width / 2
                y = base + 18 + row * _ROW_HEIGHT
                attrs = {"text-anchor": "middle", "font-size": "11"}
                canvas.text(node, x, y, tick.date_text, **attrs)
                canvas.text(node, x, y + 13, tick.time_text, **attrs)
                break
        else:
            ET.SubElement(node, "title").text = f"{tick.date_text} {tick.time_text}"


def _steps(canvas: _Canvas) -> None:
    """The step line itself, a light area under it, and one labelled group per segment."""
    preview = canvas.preview
    right = _LEFT + _PLOT_W
    corners: list[tuple[float, float]] = []
    spans: list[tuple[float, float, float]] = []
    for line in preview.lines:
        start, end = _micros(line)
        x_start = canvas.x(start, default=_LEFT)
        x_end = canvas.x(end, default=right)
        y = canvas.y(Fraction(line.fee))
        corners += [(x_start, y), (x_end, y)]
        spans.append((x_start, x_end, y))
    base = _TOP + _PLOT_H
    outline = " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)
    ET.SubElement(
        canvas.root,
        "polygon",
        {
            "class": "area",
            "points": f"{_LEFT},{_f(base)} {outline} {right},{_f(base)}",
            "fill": "#fff3e0",
        },
    )
    ET.SubElement(
        canvas.root,
        "polyline",
        {
            "class": "outline",
            "points": outline,
            "fill": "none",
            "stroke": "#424242",
            "stroke-width": "1.5",
        },
    )
    for line, (x_start, x_end, y) in zip(preview.lines, spans, strict=True):
        json = line.to_json()
        group = ET.SubElement(
            canvas.root,
            "g",
            {
                "class": "step",
                "data-kind": line.kind,
                "data-fee": json["fee"],
                "data-start": json["start"] or "",
                "data-end": json["end"] or "",
            },
        )
        ET.SubElement(group, "title").text = line.text
        color = _COLORS[line.kind]
        canvas.line(group, x_start, y, x_end, y, stroke=color, **{"stroke-width": "4"})
        label = line.fee_text if line.share_text is None else f"{line.fee_text} ({line.share_text})"
        candidates = [y - 8, y + 20, y - 24, y + 36, y - 40]
        cx, baseline = canvas.place((x_start + x_end) / 2, candidates, _width(label))
        canvas.text(group, cx, baseline, label, **{"text-anchor": "middle", "fill": color})


def _now(canvas: _Canvas) -> None:
    now = canvas.preview.now
    if now is None:
        return
    x = canvas.x(to_micros(now.at), default=_LEFT)
    group = ET.SubElement(canvas.root, "g", {"class": "now", "data-at": now.at.isoformat()})
    canvas.line(
        group,
        x,
        _TOP - 6,
        x,
        _TOP + _PLOT_H,
        stroke="#1565c0",
        **{"stroke-width": "1.5", "stroke-dasharray": "6 4"},
    )
    y = canvas.y(Fraction(now.fee))
    ET.SubElement(group, "circle", {"cx": _f(x), "cy": _f(y), "r": "5", "fill": "#1565c0"})
    canvas.text(
        group,
        x,
        _TOP - 10,
        canvas.preview.chart.now_text,
        **{"text-anchor": "middle", "fill": "#1565c0", "font-weight": "bold"},
    )
    ET.SubElement(group, "title").text = now.text


def render(preview: Preview) -> str:
    """The SVG document (UTF-8 text) of ``preview``'s fee timeline."""
    canvas = _Canvas(preview)
    _frame(canvas)
    _levels(canvas)
    _ticks(canvas)
    _steps(canvas)
    _now(canvas)
    ET.indent(canvas.root)
    body = ET.tostring(canvas.root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
