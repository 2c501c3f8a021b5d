"""The exposure chart: one panel per currency, plain SVG built with ElementTree.

Each panel shows, over the steps, the total fee if every booking were cancelled at that instant
(a step line on the left axis, in the currency) and how many bookings are still free to cancel
(a dashed line on the right axis). Currencies get their own panel, and so their own scale: a
total in VND and one in USD never share an axis. Every step's values are also in the SVG as
``data-`` attributes of its ``<g class="currency">`` (the same strings as the JSON output).

Pixel positions are floats: they place ink, they are not money.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_CEILING, Decimal

from penalty.batch._exposure import Currency, Exposure, moment

__all__ = ["render"]

WIDTH = 960
_LEFT, _RIGHT = 120, 90
_TOP = 96
_PANEL_H, _GAP = 190, 78
_FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
_SIZE = 13
_FEE = "#c65102"
_FREE = "#2e7d32"
_GRID = "#e6e6e6"
_INK = "#333333"
_SOFT = "#666666"
_HOUR = 3_600_000_000
_DAY = 24 * _HOUR
#: Candidate spacings of the time axis's ticks, in microseconds.
_TICKS = (
    _HOUR,
    2 * _HOUR,
    3 * _HOUR,
    6 * _HOUR,
    12 * _HOUR,
    _DAY,
    2 * _DAY,
    7 * _DAY,
    14 * _DAY,
    28 * _DAY,
)
_SUFFIXES = (
    (Decimal(10) ** 12, "T"),
    (Decimal(10) ** 9, "B"),
    (Decimal(10) ** 6, "M"),
    (Decimal(1000), "K"),
)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _width(text: str, size: int = _SIZE) -> float:
    """A generous estimate of rendered text width (no font metrics in pure SVG)."""
    return 0.62 * size * len(text)


def compact(amount: Decimal) -> str:
    """``1,250,000,000`` → ``1.25B``; ``980`` → ``980``; exact digits, at most three shown."""
    for scale, suffix in _SUFFIXES:
        if abs(amount) >= scale:
            shown = (amount / scale).quantize(Decimal("0.01")).normalize()
            return f"{shown:f}{suffix}"
    return f"{amount.normalize():f}" if amount == amount.to_integral_value() else f"{amount:f}"


def _nice_step(top: Decimal, ticks: int = 4) -> Decimal:
    """A round step (1, 2 or 5 × 10^k) that covers ``top`` in about ``ticks`` steps."""
    if top <= 0:
        return Decimal(1)
    rough = top / ticks
    power = Decimal(10) ** (rough.adjusted())
    for factor in (1, 2, 5, 10):
        if power * factor >= rough:
            return power * factor
    return power * 10  # pragma: no cover - the loop always returns


def _time_step(span: int, pixels: float, label: float) -> int:
    """The smallest tick spacing whose labels do not overlap."""
    for step in _TICKS:
        if span == 0 or step / span * pixels >= label:
            return step
    return _TICKS[-1]


class _Panel:
    """One currency's panel: its scales and drawing."""

    def __init__(self, top: float, first: int, last: int, sums: Currency) -> None:
        self.top, self.first, self.last, self.sums = top, first, last, sums
        self.fee_step = _nice_step(max(sums.totals, default=Decimal(0)))
        highest = max(sums.totals, default=Decimal(0))
        steps_up = (highest / self.fee_step).to_integral_value(rounding=ROUND_CEILING)
        self.fee_top = max(self.fee_step, steps_up * self.fee_step)
        free_top = max(max(sums.free, default=0), 1)
        self.free_step = max(1, int(_nice_step(Decimal(free_top))))
        self.free_top = -(-free_top // self.free_step) * self.free_step

    def x(self, micros: int) -> float:
        span = self.last - self.first
        share = 0.5 if span == 0 else (micros - self.first) / span
        return _LEFT + share * (WIDTH - _LEFT - _RIGHT)

    def y_fee(self, amount: Decimal) -> float:
        return self.top + _PANEL_H - float(amount / self.fee_top) * _PANEL_H

    def y_free(self, count: int) -> float:
        return self.top + _PANEL_H - count / self.free_top * _PANEL_H


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> None:
    element = ET.SubElement(parent, "text", {"x": _f(x), "y": _f(y), **attrs})
    element.text = text


def _steps_path(points: list[tuple[float, float]]) -> str:
    """A step line through ``points``: each value holds until the next step."""
    x0, y0 = points[0]
    parts = [f"M{_f(x0)},{_f(y0)}"]
    for x, y in points[1:]:
        parts.append(f"H{_f(x)}V{_f(y)}")
    return " ".join(parts)


def _label(at: datetime, step: int) -> str:
    if step >= _DAY:
        return at.strftime("%a %d %b")
    if at.hour == 0 and at.minute == 0:
        return at.strftime("%a %d %b")
    return at.strftime("%H:%M")


def _ticks(first: int, last: int, zone: tzinfo, step: int) -> list[int]:
    """Tick instants every ``step``, aligned on the local clock of ``zone``."""
    start = moment(first, zone)
    if step >= _DAY:
        aligned = start.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        hours = step // _HOUR
        aligned = start.replace(
            hour=start.hour - start.hour % hours, minute=0, second=0, microsecond=0
        )
    ticks: list[int] = []
    current = aligned
    while True:
        micros = (current - moment(0, zone)) // timedelta(microseconds=1)
        if micros > last:
            return ticks
        if micros >= first:
            ticks.append(micros)
        current += timedelta(microseconds=step)


def _panel(svg: ET.Element, panel: _Panel, code: str, zone: tzinfo, steps: list[int]) -> None:
    sums = panel.sums
    group = ET.SubElement(
        svg,
        "g",
        {
            "class": "currency",
            "data-currency": code,
            "data-bookings": str(sums.bookings),
            "data-fee-total": " ".join(str(total) for total in sums.totals),
            "data-free": " ".join(str(count) for count in sums.free),
        },
    )
    top, bottom = panel.top, panel.top + _PANEL_H
    peak = max(sums.totals)
    peak_at = moment(steps[sums.totals.index(peak)], zone)
    _text(
        group,
        _LEFT,
        top - 30,
        f"{code}: {sums.bookings:,} bookings; peak exposure {compact(peak)} {code} "
        f"on {peak_at.strftime('%a %d %b %H:%M')}",
        **{"font-weight": "bold", "font-size": "14"},
    )
    # Horizontal grid and the fee axis (left).
    level = Decimal(0)
    while level <= panel.fee_top:
        y = panel.y_fee(level)
        ET.SubElement(
            group,
            "line",
            {"x1": _f(_LEFT), "y1": _f(y), "x2": _f(WIDTH - _RIGHT), "y2": _f(y), "stroke": _GRID},
        )
        _text(group, _LEFT - 8, y + 4, f"{compact(level)} {code}", **{"text-anchor": "end"})
        level += panel.fee_step
    count = 0
    while count <= panel.free_top:
        y = panel.y_free(count)
        _text(group, WIDTH - _RIGHT + 8, y + 4, f"{count:,}", fill=_FREE)
        count += panel.free_step
    # Time ticks.
    label = _width("Wed 12 May") + 16
    every = _time_step(panel.last - panel.first, WIDTH - _LEFT - _RIGHT, label)
    for tick in _ticks(panel.first, panel.last, zone, every):
        x = panel.x(tick)
        ET.SubElement(
            group,
            "line",
            {"x1": _f(x), "y1": _f(bottom), "x2": _f(x), "y2": _f(bottom + 5), "stroke": _INK},
        )
        _text(group, x, bottom + 20, _label(moment(tick, zone), every), **{"text-anchor": "middle"})
    ET.SubElement(
        group,
        "path",
        {
            "d": f"M{_f(_LEFT)},{_f(top)} V{_f(bottom)} H{_f(WIDTH - _RIGHT)} V{_f(top)}",
            "fill": "none",
            "stroke": _INK,
        },
    )
    # The two series; with a single step, a short flat line so that it shows.
    xs = [panel.x(micros) for micros in steps]
    end = xs[-1] if len(xs) > 1 else xs[0] + 1
    fee_points = [
        *zip(xs, map(panel.y_fee, sums.totals), strict=True),
        (end, panel.y_fee(sums.totals[-1])),
    ]
    free_points = [
        *zip(xs, map(panel.y_free, sums.free), strict=True),
        (end, panel.y_free(sums.free[-1])),
    ]
    area = _steps_path(fee_points) + f" V{_f(bottom)} H{_f(fee_points[0][0])} Z"
    ET.SubElement(
        group, "path", {"d": area, "fill": _FEE, "fill-opacity": "0.12", "stroke": "none"}
    )
    ET.SubElement(
        group,
        "path",
        {
            "class": "fee",
            "d": _steps_path(fee_points),
            "fill": "none",
            "stroke": _FEE,
            "stroke-width": "2.5",
        },
    )
    ET.SubElement(
        group,
        "path",
        {
            "class": "free",
            "d": _steps_path(free_points),
            "fill": "none",
            "stroke": _FREE,
            "stroke-width": "2",
            "stroke-dasharray": "6 4",
        },
    )


def render(exposure: Exposure, zone: tzinfo) -> str:
    """The exposure as an SVG document (times on ``zone``'s clock)."""
    codes = sorted(code for code, sums in exposure.currencies.items() if sums.bookings)
    steps = exposure.steps
    height = _TOP + max(1, len(codes)) * (_PANEL_H + _GAP) + 10
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(WIDTH),
            "height": str(height),
            "viewBox": f"0 0 {WIDTH} {height}",
            "font-family": _FONT,
            "font-size": str(_SIZE),
            "role": "img",
        },
    )
    first, last = moment(steps[0], zone), moment(steps[-1], zone)
    offset = first.strftime("%z")
    shown = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    title = (
        f"Cancellation exposure, {first.strftime('%d %b %Y %H:%M')} to "
        f"{last.strftime('%d %b %Y %H:%M')} ({shown})"
    )
    ET.SubElement(svg, "title").text = title
    ET.SubElement(svg, "desc").text = (
        "For each currency: the total fee if every open booking were cancelled at that "
        "instant, and how many bookings could still be cancelled for free."
    )
    ET.SubElement(svg, "rect", {"width": str(WIDTH), "height": str(height), "fill": "#ffffff"})
    _text(svg, _LEFT, 30, title, **{"font-size": "17", "font-weight": "bold"})
    legend = ET.SubElement(svg, "g", {"class": "legend"})
    ET.SubElement(
        legend,
        "line",
        {
            "x1": _f(_LEFT),
            "y1": "52",
            "x2": _f(_LEFT + 30),
            "y2": "52",
            "stroke": _FEE,
            "stroke-width": "2.5",
        },
    )
    _text(legend, _LEFT + 38, 56, "fee if every booking were cancelled then (left axis)")
    middle = _LEFT + 38 + _width("fee if every booking were cancelled then (left axis)") + 24
    ET.SubElement(
        legend,
        "line",
        {
            "x1": _f(middle),
            "y1": "52",
            "x2": _f(middle + 30),
            "y2": "52",
            "stroke": _FREE,
            "stroke-width": "2",
            "stroke-dasharray": "6 4",
        },
    )
    _text(legend, middle + 38, 56, "bookings still free (right axis)", fill=_FREE)
    if not codes:
        _text(svg, _LEFT, _TOP + 40, "No booking could be quoted.")
    for index, code in enumerate(codes):
        panel = _Panel(
            _TOP + 30 + index * (_PANEL_H + _GAP), steps[0], steps[-1], exposure.currencies[code]
        )
        _panel(svg, panel, code, zone, steps)
    ET.indent(svg)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="unicode") + "\n"
