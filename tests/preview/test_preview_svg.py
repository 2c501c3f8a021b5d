"""The SVG step chart: well-formed, one labelled step per segment, "now" marked, renderable."""

from __future__ import annotations

import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from penalty import Booking, Policy
from penalty.errors import InvalidInput
from penalty.preview import Preview, preview
from penalty.preview.svg import MAX_WIDTH, MIN_WIDTH, WIDTH, render
from tests.helpers import GOTADI, ROOT, load

SVG = "{http://www.w3.org/2000/svg}"
DOCS_SVG = ROOT / "docs" / "preview.svg"
#: How docs/preview.svg is made (and remade when the picture changes).
DOCS_COMMAND = (
    "penalty preview fixtures/gotadi/example4_two_windows.json --booking "
    "fixtures/gotadi/booking.json --now 2021-05-11T09:00:00+07:00 --locale en "
    "--svg docs/preview.svg"
)
COLORS = {"free": (0x2E, 0x7D, 0x32), "partial": (0xEF, 0x6C, 0x00), "full": (0xC6, 0x28, 0x28)}


def example(name: str, locale: str = "en", now: str | None = None) -> Preview:
    """Seed 001's example ``name`` against the seed booking, previewed."""
    booking = Booking.model_validate(load(GOTADI / "booking.json"))
    timeline = Policy.from_gotadi(load(GOTADI / f"{name}.json")).timeline(booking)
    return preview(timeline, locale, now=now)


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    """The ``<g class=kind>`` elements of an SVG tree."""
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == kind]


def test_svg_is_xml_with_one_step_per_segment() -> None:
    """Steps carry the segment's fee and instants, a level line, and the fee as a label."""
    shown = example("example4_two_windows", "vi_VN", now="2021-05-11T09:00:00+07:00")
    root = ET.fromstring(shown.to_svg())
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == str(WIDTH)
    assert root.get("viewBox") == f"0 0 {WIDTH} {root.get('height')}"
    steps = groups(root, "step")
    assert [g.get("data-fee") for g in steps] == ["0", "1500000", "2100000", "3000000"]
    assert [g.get("data-start") for g in steps] == [
        "",
        "2021-05-10T18:00:00+07:00",
        "2021-05-12T18:00:00+07:00",
        "2021-05-13T18:00:00+07:00",
    ]
    labels = [g.find(f"{SVG}text") for g in steps]
    assert [label.text for label in labels if label is not None] == [
        "0\xa0₫",
        "1.500.000\xa0₫ (50%)",
        "2.100.000\xa0₫ (70%)",
        "3.000.000\xa0₫",
    ]
    levels = [g.find(f"{SVG}line") for g in steps]
    heights = [float(level.get("y1", "nan")) for level in levels if level is not None]
    assert heights == sorted(heights, reverse=True)  # a higher fee is drawn higher up


def test_now_is_marked_on_the_step_it_falls_in() -> None:
    """The "now" group sits at its instant, between the edges of the step holding it."""
    shown = example("example4_two_windows", now="2021-05-11T09:00:00+07:00")
    root = ET.fromstring(shown.to_svg())
    (mark,) = groups(root, "now")
    assert mark.get("data-at") == "2021-05-11T09:00:00+07:00"
    line = mark.find(f"{SVG}line")
    assert line is not None
    x = float(line.get("x1", "nan"))
    level = groups(root, "step")[1].find(f"{SVG}line")
    assert level is not None
    assert float(level.get("x1", "nan")) < x < float(level.get("x2", "nan"))
    texts = [text.text for text in mark.iter(f"{SVG}text")]
    assert texts == ["now", shown.now.at_text if shown.now else ""]  # "now" and its time


def test_ticks_label_each_boundary_in_the_hotel_zone() -> None:
    """Each boundary has a tick with its local date and time; the first names the offset."""
    root = ET.fromstring(example("example4_two_windows", "en_GB").to_svg())
    ticks = groups(root, "tick")
    assert [t.get("data-at") for t in ticks] == [
        "2021-05-10T18:00:00+07:00",
        "2021-05-12T18:00:00+07:00",
        "2021-05-13T18:00:00+07:00",
    ]
    first = [text.text for text in ticks[0].iter(f"{SVG}text")]
    assert first == ["Mon, 10 May 2021", "18:00 (GMT+07:00)"]


def test_svg_escapes_provider_text() -> None:
    """A description with markup stays text: the SVG still parses and shows it verbatim."""
    payload = load(GOTADI / "example3_percent.json")
    payload[0]["description"] = "<b>70%</b> & no refund"
    booking = Booking.model_validate(load(GOTADI / "booking.json"))
    shown = preview(Policy.from_gotadi(payload).timeline(booking), "en")
    root = ET.fromstring(shown.to_svg())
    titles = [g.find(f"{SVG}title") for g in groups(root, "step")]
    assert any(t is not None and "<b>70%</b> & no refund" in (t.text or "") for t in titles)


def test_docs_picture_is_up_to_date() -> None:
    """docs/preview.svg (shown in the README) is exactly what the CLI draws today."""
    shown = example("example4_two_windows", now="2021-05-11T09:00:00+07:00")
    assert DOCS_SVG.read_text(encoding="utf-8") == shown.to_svg(), f"remake it: {DOCS_COMMAND}"


# -- a real renderer, when the machine has one ------------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, RGB rows) of an 8-bit RGB or RGBA non-interlaced PNG (rsvg-convert's)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    width = height = size = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0)
            assert color in {2, 6}
            size = 3 if color == 2 else 4
        elif kind == b"IDAT":
            compressed += body
    raw = zlib.decompress(compressed)
    stride, previous, offset = width * size, bytearray(width * size), 0
    rows: list[bytes] = []
    for _ in range(height):
        method, row = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = row[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if method == 1:
                row[i] = (row[i] + left) & 0xFF
            elif method == 2:
                row[i] = (row[i] + up) & 0xFF
            elif method == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif method == 4:
                guess = left + up - corner
                near = min(
                    (abs(guess - left), 0, left),
                    (abs(guess - up), 1, up),
                    (abs(guess - corner), 2, corner),
                )
                row[i] = (row[i] + near[2]) & 0xFF
        rows.append(bytes(b for i, b in enumerate(row) if i % size < 3))
        previous = row
    return width, height, rows


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert not installed")
def test_a_real_renderer_draws_each_step_in_its_colour(tmp_path: Path) -> None:
    """rsvg-convert renders the chart; at each step's middle the pixel has that step's colour."""
    shown = example("example4_two_windows", "vi_VN")
    source = tmp_path / "preview.svg"
    source.write_text(shown.to_svg(), encoding="utf-8")
    target = tmp_path / "preview.png"
    subprocess.run(
        ["rsvg-convert", "--format=png", f"--output={target}", str(source)],
        check=True,
        timeout=60,
        capture_output=True,
    )
    width, height, rows = decode_png(target.read_bytes())
    root = ET.fromstring(source.read_text(encoding="utf-8"))
    assert (width, height) == (WIDTH, int(root.get("height", "0")))
    for group in groups(root, "step"):
        level = group.find(f"{SVG}line")
        assert level is not None
        x = round((float(level.get("x1", "0")) + float(level.get("x2", "0"))) / 2)
        y = round(float(level.get("y1", "0")))
        pixel = tuple(rows[y][3 * x : 3 * x + 3])
        expected = COLORS[group.get("data-kind", "")]
        assert all(abs(a - b) <= 24 for a, b in zip(pixel, expected, strict=True)), (
            group.get("data-fee"),
            pixel,
            expected,
        )
    assert Decimal(groups(root, "step")[-1].get("data-fee", "")) == shown.total


# -- crowded schedules, any width -------------------------------------------------------------

CROWDED = ROOT / "fixtures" / "preview"
#: During the last daily window, an hour before the three 1-hour windows.
CROWDED_NOW = "2021-04-30T20:00:00+07:00"
Box = tuple[float, float, float, float]


def crowded(locale: str = "en", now: str | None = CROWDED_NOW) -> Preview:
    """30 days of daily windows, then three 1-hour windows (fixtures/preview/crowded_*)."""
    booking = Booking.model_validate(load(CROWDED / "crowded_booking.json"))
    timeline = Policy.from_gotadi(load(CROWDED / "crowded_policy.json")).timeline(booking)
    return preview(timeline, locale, now=now)


def estimated_boxes(root: ET.Element) -> list[tuple[str, Box]]:
    """Every text's box, from its position, anchor and size, with the chart's own estimate of
    width (the browser test measures the real boxes)."""
    from penalty.preview.svg import _width

    boxes: list[tuple[str, Box]] = []
    sizes: dict[ET.Element, float] = {}

    def walk(node: ET.Element, size: float, anchor: str) -> None:
        size = float(node.get("font-size", size))
        anchor = node.get("text-anchor", anchor)
        sizes[node] = size
        if node.tag == f"{SVG}text" and node.get("transform") is None:
            text = node.text or ""
            width = _width(text, size, bold=node.get("font-weight") == "bold")
            x, y = float(node.get("x", "0")), float(node.get("y", "0"))
            left = {"middle": x - width / 2, "end": x - width}.get(anchor, x)
            boxes.append((text, (left, y - size * 0.8, left + width, y + size * 0.2)))
        for child in node:
            walk(child, size, anchor)

    walk(root, 13.0, "start")
    return boxes


def overlapping(boxes: list[tuple[str, Box]]) -> list[tuple[str, str]]:
    found = []
    for i, (text, (x0, y0, x1, y1)) in enumerate(boxes):
        for other, (a0, b0, a1, b1) in boxes[i + 1 :]:
            if x0 < a1 - 0.5 and a0 < x1 - 0.5 and y0 < b1 - 0.5 and b0 < y1 - 0.5:
                found.append((text, other))
    return found


@pytest.mark.parametrize("width", [MIN_WIDTH, 320, 375, 768, 960, 1280, 1440, MAX_WIDTH])
@pytest.mark.parametrize("locale", ["en", "vi_VN"])
def test_crowded_chart_has_no_overlapping_text_at_any_width(width: int, locale: str) -> None:
    """The crowded fixture at every width: no two text boxes overlap, every text stays on the
    canvas, and the viewBox is the width asked for (text keeps its size on a phone)."""
    root = ET.fromstring(render(crowded(locale), width=width))
    height = float(root.get("height", "0"))
    assert root.get("viewBox") == f"0 0 {width} {root.get('height')}"
    boxes = estimated_boxes(root)
    assert overlapping(boxes) == []
    for text, (x0, y0, x1, y1) in boxes:
        assert x0 >= 0, text
        assert x1 <= width, text
        assert y0 >= 0, text
        assert y1 <= height, text
    sizes = {float(node.get("font-size", "13")) for node in root.iter() if node.get("font-size")}
    assert min(sizes) >= 11  # readable on a phone: the chart is drawn for the width it is shown at


def test_crowded_chart_names_every_fee_on_the_chart_or_in_the_legend() -> None:
    """A step whose label has no room is in the legend, with its period; none is lost."""
    shown = crowded()
    root = ET.fromstring(render(shown, width=375))
    steps = groups(root, "step")
    assert len(steps) == len(shown.lines) == 35
    on_chart = {g.get("data-fee") for g in steps if g.find(f"{SVG}text") is not None}
    in_legend = {g.get("data-fee") for g in groups(root, "legend-item")}
    assert on_chart | in_legend == {str(line.fee) for line in shown.lines}
    assert not on_chart & in_legend
    flagged = {g.get("data-fee") for g in steps if g.get("data-legend") == "true"}
    assert flagged == in_legend
    legend_texts = [
        " ".join(t.text or "" for t in item.iter(f"{SVG}text"))
        for item in groups(root, "legend-item")
    ]
    assert any("1:00 PM" in text and "2:00 PM" in text for text in legend_texts)  # 1 hour


def test_short_windows_after_long_ones_stay_visible() -> None:
    """The 1-hour windows after 30 days get room on the axis: each step is a few px wide."""
    root = ET.fromstring(render(crowded(), width=960))
    widths = []
    for group in groups(root, "step"):
        level = group.find(f"{SVG}line")
        assert level is not None
        widths.append(float(level.get("x2", "0")) - float(level.get("x1", "0")))
    assert min(widths) >= 10


def test_ticks_are_thinned_not_stacked_into_the_caption() -> None:
    """Crowded boundaries: labelled ones sit on two rows above the caption; the first and the
    last are labelled; the rest keep their tick and a tooltip."""
    root = ET.fromstring(render(crowded(), width=375))
    ticks = groups(root, "tick")
    labelled = [t for t in ticks if t.get("data-thinned") != "true"]
    thinned = [t for t in ticks if t.get("data-thinned") == "true"]
    assert labelled[0] is ticks[0]
    assert labelled[-1] is ticks[-1]
    assert thinned
    assert all(t.find(f"{SVG}title") is not None for t in thinned)
    caption = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "caption")
    lowest = max(float(text.get("y", "0")) for t in labelled for text in t.iter(f"{SVG}text"))
    assert lowest < float(caption.get("y", "0")) - 11


def test_now_has_its_time_and_fee_labels_keep_clear_of_its_line() -> None:
    """The "now" line is labelled with its time; no fee label crosses the line."""
    shown = crowded()
    root = ET.fromstring(render(shown, width=960))
    (mark,) = groups(root, "now")
    line = mark.find(f"{SVG}line")
    assert line is not None
    x = float(line.get("x1", "0"))
    texts = [t.text for t in mark.iter(f"{SVG}text")]
    assert texts == ["now", shown.now.at_text if shown.now else ""]
    labels = dict(estimated_boxes(root))
    for group in groups(root, "step"):
        text = group.find(f"{SVG}text")
        if text is not None:
            x0, _, x1, _ = labels[text.text or ""]
            assert not x0 < x < x1, text.text


@pytest.mark.parametrize("width", [MIN_WIDTH - 1, MAX_WIDTH + 1, True])
def test_width_out_of_range_is_refused(width: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        render(crowded(), width=width)
    assert caught.value.code == "invalid_width"
    assert caught.value.path == "width"


def test_a_chart_without_windows_or_now_still_draws() -> None:
    """No boundaries at all (a free booking): one step across the plot, no tick."""
    booking = Booking.model_validate(load(GOTADI / "booking.json"))
    shown = preview(Policy.from_gotadi([]).timeline(booking), "en")
    root = ET.fromstring(render(shown, width=320))
    assert len(groups(root, "step")) == 1
    assert groups(root, "tick") == []
