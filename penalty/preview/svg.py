"""The fee timeline as a step chart: plain SVG text built with ElementTree, no plotting library.

Time runs along the x axis (labelled in the hotel's zone), the fee up the y axis (0 to the
booking total). Each segment of the schedule is one ``<g class="step">`` carrying its machine
values (``data-fee``, ``data-start``, ``data-end``: the same strings as the UI JSON) and its
label; "now", when known, is a dashed line in a ``<g class="now">`` labelled with its time.
Everything drawn comes from a `Preview`, so the picture agrees with the text and with the quotes.

The chart is drawn for the width it will be shown at (`render`'s ``width``, CSS pixels, 280 to
1920): the ``viewBox`` is that wide, so its text keeps its size (11-16 px) on a phone as on a
desktop, and the height grows with what there is to say. Labels never overlap:

* the time axis gives every segment some room (at least ~2 % of the plot, so a 1-hour window
  after 30 days of windows stays visible) and is otherwise proportional to time;
* boundary labels are staggered over two rows, and thinned when there is no room (the first
  and the last boundary are labelled first; a thinned tick keeps its mark and a tooltip);
* a step's fee label goes above or below its level where it fits, clear of every other label,
  of the "now" line and of the axes; a step with no such room is named in a legend below;
* the "now" line carries "now" and its time, clear of the fee labels.

Text widths are estimated generously (no font metrics in pure SVG); ``tests/browser`` checks in
a real browser that no two text boxes overlap.

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
    >>> 'viewBox="0 0 375 ' in render(preview(timeline, "en"), width=375)
    True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from penalty.errors import InvalidInput
from penalty.instants import to_micros

if TYPE_CHECKING:  # types only: `penalty.preview.types` renders a preview with this module
    from penalty.preview.types import Line, Preview

__all__ = ["MAX_WIDTH", "MIN_WIDTH", "WIDTH", "render"]

#: The default width, and the range `render` accepts (CSS pixels).
WIDTH, MIN_WIDTH, MAX_WIDTH = 960, 280, 1920
_FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
_HOUR = 3_600_000_000
_COLORS = {"free": "#2e7d32", "partial": "#ef6c00", "full": "#c62828"}
_NOW = "#1565c0"
_PAD = 8.0
_TICK_ROWS = 2

Box = tuple[float, float, float, float]


#: Below this width (px) the chart uses its phone layout.
_NARROW = 560
#: A label keeps this far (px) from the canvas's sides.
_MARGIN = 2


def _f(value: float) -> str:
    return f"{value:.1f}"


def _width(text: str, size: float, *, bold: bool = False) -> float:
    """A generous estimate of rendered text width (no font metrics in pure SVG): DejaVu Sans
    digits are 0.64 em, most letters less, capitals and a few letters more.
    """
    wide = sum(1 for char in text if char.isupper() or char in "mwMW@%₫€")
    estimate = size * (0.64 * len(text) + 0.22 * wide) + 2
    return estimate * 1.1 if bold else estimate


def _overlaps(box: Box, boxes: Iterable[Box]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b1x and b0x < x1 and y0 < b1y and b0y < y1 for b0x, b0y, b1x, b1y in boxes)


def _wrap(text: str, size: float, room: float, *, bold: bool = False) -> list[str]:
    """``text`` cut at spaces into lines of at most ``room`` estimated width (a word longer
    than a line is cut where it must).
    """
    lines: list[str] = []
    current = ""
    for whole in text.split(" "):
        word = whole
        while _width(word, size, bold=bold) > room and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and _width(word[:cut], size, bold=bold) > room:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if current and _width(candidate, size, bold=bold) > room:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


@dataclass
class _Layout:
    """Sizes that depend on the width the chart is drawn for."""

    width: float
    size: float
    small: float
    title: float
    left: float
    right: float
    plot_h: float
    boxes: list[Box] = field(default_factory=list)

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right


def _layout(preview: Preview, width: int) -> _Layout:
    narrow = width < _NARROW
    size, small = (12.0, 11.0) if narrow else (13.0, 11.0)
    levels = [line.fee_text for line in preview.lines] + [preview.total_text]
    label = max((_width(text, size) for text in levels), default=0.0)
    left = min(max(label + 34, 70), width * 0.4)
    return _Layout(
        width=float(width),
        size=size,
        small=small,
        title=15.0 if narrow else 16.0,
        left=left,
        right=16.0,
        plot_h=200.0 if narrow else 260.0,
    )


class _TimeAxis:
    """Instants (integer microseconds) to x: piecewise linear between the boundaries, each
    piece at least ``floor`` wide so that short windows stay visible.
    """

    def __init__(self, points: list[int], now: int | None, left: float, width: float) -> None:
        if not points:
            centre = now if now is not None else 0
            points = [centre - 12 * _HOUR, centre + 12 * _HOUR]
        low, high = points[0], points[-1]
        pad = max((high - low) // 8, 6 * _HOUR)
        start, end = low - pad, high + pad
        if now is not None:
            start, end = min(start, now - _HOUR), max(end, now + _HOUR)
        self.points = [start, *points, end]
        durations = [b - a for a, b in zip(self.points, self.points[1:], strict=False)]
        floor = min(max(width * 0.02, 10.0), width / (2 * len(durations)))
        fixed: set[int] = set()
        widths: list[float] = []
        for _ in range(len(durations) + 1):
            free_width = width - floor * len(fixed)
            free_time = sum(d for i, d in enumerate(durations) if i not in fixed) or 1
            widths = [
                floor if i in fixed else free_width * d / free_time for i, d in enumerate(durations)
            ]
            small = {i for i, w in enumerate(widths) if w < floor and i not in fixed}
            if not small:
                break
            fixed |= small
        self.xs = [left]
        for piece in widths:
            self.xs.append(self.xs[-1] + piece)
        self.left, self.right = left, left + width

    def x(self, micros: int | None, *, default: float) -> float:
        if micros is None:
            return default
        points = self.points
        if micros <= points[0]:
            return self.xs[0]
        if micros >= points[-1]:
            return self.xs[-1]
        i = bisect_right(points, micros) - 1
        share = (micros - points[i]) / ((points[i + 1] - points[i]) or 1)
        return self.xs[i] + (self.xs[i + 1] - self.xs[i]) * share


class _Canvas:
    """The SVG tree under construction, the scales, and every label's box placed so far."""

    def __init__(self, preview: Preview, width: int) -> None:
        self.preview = preview
        self.lay = _layout(preview, width)
        self.root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "font-family": _FONT,
                "font-size": _f(self.lay.size),
                "role": "img",
                "aria-labelledby": "chart-title chart-desc",
            },
        )
        ET.SubElement(self.root, "title", {"id": "chart-title"}).text = preview.heading
        ET.SubElement(self.root, "desc", {"id": "chart-desc"}).text = preview.summary
        self.background = ET.SubElement(self.root, "rect", {"fill": "#ffffff"})
        ticks = sorted({to_micros(tick.at) for tick in preview.chart.ticks})
        now = None if preview.now is None else to_micros(preview.now.at)
        self.axis = _TimeAxis(ticks, now, self.lay.left, self.lay.plot_w)
        self.total = Fraction(preview.total)
        self.top = 0.0  # set by _frame
        self.labels: list[Box] = []
        #: The step line's boxes: fee labels keep clear of them too.
        self.ink: list[Box] = []
        #: The "now" time label, cut into rows that fit the width.
        self.now_rows: list[str] = []

    @property
    def bottom(self) -> float:
        return self.top + self.lay.plot_h

    def x(self, micros: int | None, *, default: float) -> float:
        return self.axis.x(micros, default=default)

    def y(self, fee: Fraction) -> float:
        share = 1 - fee / self.total if self.total else Fraction(1)
        return self.top + self.lay.plot_h * float(share)

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

    def free(self, box: Box) -> bool:
        """Whether ``box`` is on the canvas and clear of every label placed so far."""
        x0, _, x1, _ = box
        return (
            x0 >= _MARGIN
            and x1 <= self.lay.width - _MARGIN
            and not _overlaps(box, self.labels)
            and not _overlaps(box, self.ink)
        )


def _micros(line: Line) -> tuple[int | None, int | None]:
    return (
        None if line.start is None else to_micros(line.start),
        None if line.end is None else to_micros(line.end),
    )


def _frame(canvas: _Canvas) -> None:
    """The heading (wrapped to the width), the room for "now", and the axes."""
    preview, root, lay = canvas.preview, canvas.root, canvas.lay
    y = _PAD + lay.title
    for row in _wrap(preview.heading, lay.title, lay.width - 2 * _PAD, bold=True):
        canvas.text(root, _PAD, y, row, **{"font-size": _f(lay.title), "font-weight": "bold"})
        width = _width(row, lay.title, bold=True)
        canvas.labels.append((_PAD, y - lay.title, _PAD + width, y + 4))
        y += lay.title + 4
    if preview.now is not None:
        canvas.now_rows = _wrap(preview.now.at_text, lay.small, lay.width - 4)
        canvas.top = y + lay.size + len(canvas.now_rows) * (lay.small + 3) + 21
    else:
        canvas.top = y + 12
    axes = ET.SubElement(root, "g", {"class": "axes", "stroke": "#333333", "stroke-width": "1"})
    right = lay.left + lay.plot_w
    canvas.line(axes, lay.left, canvas.top, lay.left, canvas.bottom)
    canvas.line(axes, lay.left, canvas.bottom, right, canvas.bottom)
    middle = canvas.top + lay.plot_h / 2
    caption = canvas.text(root, 14, middle, preview.chart.title, **{"text-anchor": "middle"})
    caption.set("transform", f"rotate(-90 14 {_f(middle)})")


def _levels(canvas: _Canvas) -> None:
    """Gridlines and y labels at each fee level, the total always included, thinned."""
    preview, lay = canvas.preview, canvas.lay
    levels = {Fraction(line.fee): line.fee_text for line in preview.lines}
    levels[canvas.total] = preview.total_text
    group = ET.SubElement(canvas.root, "g", {"class": "levels"})
    for fee in sorted(levels, reverse=True):
        y = canvas.y(fee)
        canvas.line(group, lay.left, y, lay.left + lay.plot_w, y, stroke="#e0e0e0")
        text = levels[fee]
        box = (lay.left - 6 - _width(text, lay.size), y - lay.size + 2, lay.left - 6, y + 5)
        if not _overlaps(box, canvas.labels):
            canvas.labels.append(box)
            canvas.text(group, lay.left - 6, y + 4, text, **{"text-anchor": "end"})


def _now_mark(canvas: _Canvas) -> None:
    """The "now" line, its dot on the step, and "now" with its time above the plot."""
    now = canvas.preview.now
    if now is None:
        return
    lay = canvas.lay
    x = canvas.x(to_micros(now.at), default=lay.left)
    group = ET.SubElement(canvas.root, "g", {"class": "now", "data-at": now.at.isoformat()})
    ET.SubElement(group, "title").text = now.text
    canvas.line(
        group,
        x,
        canvas.top - 2,
        x,
        canvas.bottom,
        stroke=_NOW,
        **{"stroke-width": "1.5", "stroke-dasharray": "6 4"},
    )
    y = canvas.y(Fraction(now.fee))
    ET.SubElement(group, "circle", {"cx": _f(x), "cy": _f(y), "r": "5", "fill": _NOW})
    # The line itself is an obstacle for fee labels.
    canvas.labels.append((x - 3, canvas.top - 2, x + 3, canvas.bottom))
    rows = [
        (canvas.preview.chart.now_text, lay.size, True, "now-label"),
        *((row, lay.small, False, "now-time") for row in canvas.now_rows),
    ]
    baseline = canvas.top - 14 - len(canvas.now_rows) * (lay.small + 3)
    for text, size, bold, kind in rows:
        width = _width(text, size, bold=bold)
        left = min(max(x - width / 2, 2), lay.width - 2 - width)
        attrs = {"class": kind, "fill": _NOW, "font-size": _f(size), "text-anchor": "middle"}
        if bold:
            attrs["font-weight"] = "bold"
        canvas.text(group, left + width / 2, baseline, text, **attrs)
        canvas.labels.append((left, baseline - size, left + width, baseline + 3))
        baseline += lay.small + 3


def _ticks(canvas: _Canvas) -> float:
    """A tick at each boundary, labelled with its local date and time on one of two rows;
    labels that fit nowhere are thinned (the tick keeps a tooltip). The first and last
    boundaries are labelled first. Returns the y below the lowest label.
    """
    lay = canvas.lay
    group = ET.SubElement(canvas.root, "g", {"class": "ticks"})
    ticks = canvas.preview.chart.ticks
    order = list(range(len(ticks)))
    if len(order) > 2:  # noqa: PLR2004 - the first and the last tick go first
        order = [0, len(order) - 1, *order[1:-1]]
    placed: list[list[Box]] = [[] for _ in range(_TICK_ROWS)]
    nodes: dict[int, tuple[ET.Element, float]] = {}
    for index, tick in enumerate(ticks):
        x = canvas.x(to_micros(tick.at), default=lay.left)
        node = ET.SubElement(group, "g", {"class": "tick", "data-at": tick.at.isoformat()})
        canvas.line(node, x, canvas.top, x, canvas.bottom, stroke="#bdbdbd")
        node[-1].set("stroke-dasharray", "2 3")
        canvas.line(node, x, canvas.bottom, x, canvas.bottom + 5, stroke="#333333")
        nodes[index] = (node, x)
    used_rows = 0
    for index in order:
        tick = ticks[index]
        node, x = nodes[index]
        width = max(_width(tick.date_text, lay.small), _width(tick.time_text, lay.small)) + 6
        left = min(max(x - width / 2, 2), lay.width - 2 - width)
        for row in range(_TICK_ROWS):
            top = canvas.bottom + 8 + row * (2 * lay.small + 10)
            box = (left, top, left + width, top + 2 * lay.small + 6)
            if not _overlaps(box, placed[row]):
                placed[row].append(box)
                used_rows = max(used_rows, row + 1)
                centre = left + width / 2
                attrs = {"text-anchor": "middle", "font-size": _f(lay.small)}
                canvas.text(node, centre, top + lay.small, tick.date_text, **attrs)
                canvas.text(node, centre, top + 2 * lay.small + 3, tick.time_text, **attrs)
                if abs(centre - x) > 1:  # shifted to stay on the canvas: a leader to its tick
                    canvas.line(node, x, canvas.bottom + 5, centre, top, stroke="#9e9e9e")
                break
        else:
            node.set("data-thinned", "true")
            ET.SubElement(node, "title").text = f"{tick.date_text} {tick.time_text}"
    canvas.labels.extend(box for row in placed for box in row)
    return canvas.bottom + 8 + used_rows * (2 * lay.small + 10)


def _steps(canvas: _Canvas) -> list[tuple[Line, str]]:
    """The step line, a light area under it, and one group per segment with its fee label
    where one fits. Returns the (line, label) pairs that need the legend.
    """
    preview, lay = canvas.preview, canvas.lay
    right = lay.left + lay.plot_w
    corners: list[tuple[float, float]] = []
    spans: list[tuple[float, float, float]] = []
    for line in preview.lines:
        start, end = _micros(line)
        x_start = canvas.x(start, default=lay.left)
        x_end = canvas.x(end, default=right)
        y = canvas.y(Fraction(line.fee))
        corners += [(x_start, y), (x_end, y)]
        spans.append((x_start, x_end, y))
    previous: float | None = None
    for x_start, x_end, y in spans:
        canvas.ink.append((x_start, y - 2.5, x_end, y + 2.5))
        if previous is not None:
            canvas.ink.append((x_start - 1.5, min(previous, y), x_start + 1.5, max(previous, y)))
        previous = y
    outline = " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)
    area = f"{_f(lay.left)},{_f(canvas.bottom)} {outline} {_f(right)},{_f(canvas.bottom)}"
    ET.SubElement(canvas.root, "polygon", {"class": "area", "points": area, "fill": "#fff3e0"})
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
    unlabelled: list[tuple[Line, str]] = []
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
        spot = _label_spot(canvas, x_start, x_end, y, _width(label, lay.size))
        if spot is None:
            group.set("data-legend", "true")
            unlabelled.append((line, label))
            continue
        box, centre, baseline = spot
        canvas.labels.append(box)
        canvas.text(group, centre, baseline, label, **{"text-anchor": "middle", "fill": color})
    return unlabelled


def _label_spot(
    canvas: _Canvas, x_start: float, x_end: float, y: float, width: float
) -> tuple[Box, float, float] | None:
    """A free place for a fee label of ``width`` by its step: (box, x centre, baseline)."""
    lay = canvas.lay
    size = lay.size
    middle = (x_start + x_end) / 2
    low, high = x_start - width / 2 + 8, x_end + width / 2 - 8
    steps = max(1, min(16, int((high - low) // max(width / 4, 4))))
    sweep = [low + (high - low) * i / steps for i in range(steps + 1)]
    centres = [middle, *sorted(sweep, key=lambda centre: abs(centre - middle))]
    for baseline in (y - 7, y + size + 6, y - size - 11, y + 2 * size + 10):
        # A label may stand in the band just above the plot (the top step's), never below it.
        if baseline - size < canvas.top - size - 8 or baseline + 3 > canvas.bottom - 2:
            continue
        for centre in centres:
            left = min(max(centre - width / 2, lay.left + 2), lay.width - 2 - width)
            box = (left, baseline - size, left + width, baseline + 3)
            near = min(box[2], x_end) - max(box[0], x_start) >= min(x_end - x_start, 8) - 0.01
            if near and canvas.free(box):
                return box, left + width / 2, baseline
    return None


def _caption(canvas: _Canvas, y: float) -> float:
    lay = canvas.lay
    text = canvas.preview.chart.times_text
    rows = _wrap(text, lay.size, lay.width - 2 * _PAD)
    for row in rows:
        y += lay.size + 4
        canvas.text(
            canvas.root,
            lay.width / 2,
            y,
            row,
            **{"class": "caption", "text-anchor": "middle", "fill": "#555555"},
        )
    return y + 6


def _legend(canvas: _Canvas, items: list[tuple[Line, str]], y: float) -> float:
    """The steps whose fee has no room on the chart, each with its colour and its period: in
    columns when they fit on one line each, else one to a row, wrapped.
    """
    if not items:
        return y
    lay = canvas.lay
    group = ET.SubElement(canvas.root, "g", {"class": "legend"})
    texts = [f"{label}: {line.period_text}" for line, label in items]
    room = lay.width - 2 * _PAD
    column = max(_width(text, lay.small) for text in texts) + 16 + 12
    columns = max(1, int(room // column))
    row_height = lay.small + 6
    top = y + 4
    for index, ((line, _), text) in enumerate(zip(items, texts, strict=True)):
        item = ET.SubElement(
            group,
            "g",
            {"class": "legend-item", "data-fee": str(line.fee), "data-kind": line.kind},
        )
        rows = [text] if columns > 1 else _wrap(text, lay.small, room - 16)
        x = _PAD + (index % columns) * column
        if columns > 1:
            y = top + (index // columns) * row_height
        ET.SubElement(
            item,
            "rect",
            {"x": _f(x), "y": _f(y + 3), "width": "10", "height": "10", "fill": _COLORS[line.kind]},
        )
        for row in rows:
            canvas.text(item, x + 16, y + lay.small + 2, row, **{"font-size": _f(lay.small)})
            y += row_height
    if columns > 1:
        y = top + -(-len(items) // columns) * row_height
    return y + 8


def render(preview: Preview, *, width: int = WIDTH) -> str:
    """The SVG document (UTF-8 text) of ``preview``'s fee timeline, drawn for ``width`` CSS
    pixels (280 to 1920; the ``viewBox`` is that wide, the height what the content needs).

    Raises:
        InvalidInput: a ``width`` outside 280-1920 (``invalid_width``).
    """
    if isinstance(width, bool) or not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise InvalidInput(
            f"must be an integer from {MIN_WIDTH} to {MAX_WIDTH}",
            path="width",
            value=width,
            code="invalid_width",
        )
    canvas = _Canvas(preview, width)
    _frame(canvas)
    _now_mark(canvas)
    _levels(canvas)
    below = _ticks(canvas)
    unlabelled = _steps(canvas)
    below = _caption(canvas, below)
    height = _legend(canvas, unlabelled, below)
    height = round(height)
    canvas.root.set("width", str(width))
    canvas.root.set("height", str(height))
    canvas.root.set("viewBox", f"0 0 {width} {height}")
    canvas.background.set("width", str(width))
    canvas.background.set("height", str(height))
    ET.indent(canvas.root)
    body = ET.tostring(canvas.root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
