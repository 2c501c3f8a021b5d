"""The fee-preview widget in a real browser: Debian's Chromium driven by Playwright (headless),
against the session's service on 127.0.0.1.

For every seed example the widget shows the engine's fees, "free until" and the "now" advice;
at phone and desktop widths (320 to 1440 px) no two text boxes on the page overlap, measured
from the browser's own boxes (HTML text and the chart's SVG text); keyboard and language
switching work. Screenshots of the page at 375 and 1280 px are written to docs/.

Skipped when /usr/bin/chromium is missing, except on CI (``CI`` set), where `.ci/run` installs
it and its absence is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from penalty import Booking, Policy
from penalty.preview import preview
from tests.helpers import GOTADI, ROOT, load

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Chromium is not installed (apt-get install chromium)",
)

DOCS = ROOT / "docs"
FIXTURES = ROOT / "fixtures"
SEEDS = sorted(path.stem for path in GOTADI.glob("example*.json"))
ZONE = "Asia/Ho_Chi_Minh"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Every text box on the page, the widget's shadow DOM and its inline SVG included: HTML text
#: by its line boxes (Range rects), SVG text by its element's box. Then the overlapping pairs.
OVERLAPS = """
() => {
  const boxes = [];
  const seenSvg = new Set();
  // Visually hidden (clipped to 1 px, as for screen readers only) or not rendered at all.
  function hidden(element) {
    for (let e = element; e; e = e.parentElement || e.getRootNode().host) {
      const r = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      if (style.display === "none" || style.visibility === "hidden") return true;
      if ((r.width <= 1 || r.height <= 1) && style.overflow === "hidden") return true;
    }
    return false;
  }
  function visit(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let node = walker.currentNode;
    while (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.shadowRoot) visit(node.shadowRoot);
      if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
        const parent = node.parentElement;
        const skipped = "style, script, title, desc, option, textarea";
        if (parent && !parent.closest(skipped) && !hidden(parent)) {
          const svgText = parent.closest("text");
          if (svgText) {
            if (!seenSvg.has(svgText)) {
              seenSvg.add(svgText);
              const r = svgText.getBoundingClientRect();
              boxes.push([svgText.textContent.slice(0, 40), r.left, r.top, r.right, r.bottom]);
            }
          } else {
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const r of range.getClientRects()) {
              if (r.width > 1 && r.height > 1) {
                const text = node.textContent.trim().slice(0, 40);
                boxes.push([text, r.left, r.top, r.right, r.bottom]);
              }
            }
          }
        }
      }
      node = walker.nextNode();
    }
  }
  visit(document.body);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const w = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
      const h = Math.min(a[4], b[4]) - Math.max(a[2], b[2]);
      if (w > 1 && h > 1) overlaps.push([a[0], b[0]]);
    }
  }
  const wide = document.documentElement.scrollWidth > window.innerWidth + 1;
  return {count: boxes.length, overlaps, wide};
}
"""

SHOW = """
(id) => new Promise((resolve) => {
  const preview = document.getElementById("preview");
  preview.addEventListener("penalty-rendered", () => resolve(null), {once: true});
  const select = document.getElementById("example");
  select.value = id;
  select.dispatchEvent(new Event("change"));
})
"""

READ = """
() => {
  const root = document.getElementById("preview").shadowRoot;
  const text = (selector) => root.querySelector(selector)?.textContent ?? null;
  return {
    heading: text("h2"),
    free: text('[data-part="free-until"] p'),
    now: text('[data-part="now"] p'),
    fees: [...root.querySelectorAll("tbody td.fee")].map((td) => td.textContent),
    periods: [...root.querySelectorAll("tbody td.period")].map((td) => td.firstChild.textContent),
    steps: root.querySelectorAll(".chart svg g.step").length,
  };
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (playwright's sync API keeps an event loop running
    in this thread while it is open: later tests could not ``asyncio.run``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        yield launched
        launched.close()


def open_page(
    browser: Any, base_url: str, width: int, example: str = "example4_two_windows"
) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, timezone_id=ZONE, locale="en-US"
    )
    page = context.new_page()
    page.goto(f"{base_url}/widget/?example={example}")
    page.wait_for_function(
        "() => { const p = document.getElementById('preview');"
        " return p.data && !p.hasAttribute('aria-busy')"
        " && p.shadowRoot.querySelector('.chart svg'); }"
    )
    return page


def expected(seed: str, locale: str = "en") -> dict[str, Any]:
    """What the engine says the widget should show for a seed example at the page's "now"."""
    if seed == "crowded":
        policy = load(FIXTURES / "preview" / "crowded_policy.json")
        booking = load(FIXTURES / "preview" / "crowded_booking.json")
        now = "2021-04-30T20:00:00+07:00"
    else:
        policy, booking = load(GOTADI / f"{seed}.json"), load(GOTADI / "booking.json")
        now = "2021-05-11T09:00:00+07:00"
    timeline = Policy.from_gotadi(policy).timeline(Booking.model_validate(booking))
    shown: dict[str, Any] = preview(timeline, locale, now=now, viewer_tz=ZONE).to_json()
    return shown


def no_overlaps(page: Any) -> None:
    found = page.evaluate(OVERLAPS)
    assert found["count"] > 10
    assert found["overlaps"] == []
    assert not found["wide"], "the page scrolls sideways"


@pytest.mark.parametrize("width", [375, 1280])
def test_widget_shows_the_engine_fees_for_every_seed(
    browser: Any, base_url: str, width: int
) -> None:
    """Each seed example: the schedule's fees, "free until" (the first line when it is free)
    and the "now" advice are the engine's, and no text overlaps at phone or desktop width."""
    page = open_page(browser, base_url, width)
    try:
        for seed in SEEDS:
            page.evaluate(SHOW, seed)
            shown = page.evaluate(READ)
            engine = expected(seed)
            assert shown["heading"] == engine["heading"]
            assert shown["fees"] == [line["fee_text"] for line in engine["lines"]]
            assert shown["periods"] == [line["period_text"] for line in engine["lines"]]
            first = engine["lines"][0]
            if first["kind"] == "free":
                assert shown["free"] == first["text"]
            else:
                assert shown["free"] == "No free cancellation: a fee applies from the start."
            assert shown["now"] == engine["now"]["text"]
            assert shown["steps"] == len(engine["lines"])
            no_overlaps(page)
            if seed == "example4_two_windows":
                page.screenshot(path=str(DOCS / f"widget-{width}.png"), full_page=True)
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [320, 375, 1440])
def test_crowded_schedule_has_no_overlapping_text(browser: Any, base_url: str, width: int) -> None:
    page = open_page(browser, base_url, width, example="crowded")
    try:
        shown = page.evaluate(READ)
        assert shown["fees"] == [line["fee_text"] for line in expected("crowded")["lines"]]
        no_overlaps(page)
        if width == 375:
            page.screenshot(path=str(DOCS / "widget-crowded-375.png"), full_page=True)
    finally:
        page.context.close()


def test_keyboard_and_language(browser: Any, base_url: str) -> None:
    """Rows take focus and arrow keys move between them, highlighting the chart's step; the
    language buttons work from the keyboard and the widget then speaks Vietnamese."""
    page = open_page(browser, base_url, 375)
    try:
        page.focus("#preview >> tbody tr >> nth=0")
        page.keyboard.press("ArrowDown")
        focused = page.evaluate(
            "() => { const root = document.getElementById('preview').shadowRoot;"
            " const rows = [...root.querySelectorAll('tbody tr')];"
            " return [rows.indexOf(root.activeElement),"
            " root.querySelectorAll('.chart g.step.highlight').length]; }"
        )
        assert focused == [1, 1]
        page.focus("button[data-locale='vi']")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.getElementById('preview').data?.locale === 'vi'"
            " && !document.getElementById('preview').hasAttribute('aria-busy')"
        )
        shown = page.evaluate(READ)
        engine = expected("example4_two_windows", "vi")
        assert shown["heading"] == engine["heading"]
        assert shown["fees"] == [line["fee_text"] for line in engine["lines"]]
        assert page.get_attribute("button[data-locale='vi']", "aria-pressed") == "true"
        roles = page.evaluate(
            "() => { const root = document.getElementById('preview').shadowRoot;"
            " return [root.querySelector('section').getAttribute('aria-labelledby'),"
            " root.querySelector('[data-part=now]').getAttribute('role'),"
            " root.querySelector('.chart svg').getAttribute('role')]; }"
        )
        assert roles == ["heading", "status", "img"]
        no_overlaps(page)
    finally:
        page.context.close()


def test_an_error_is_shown_not_thrown(browser: Any, base_url: str) -> None:
    """A policy the engine refuses: the widget says so (role alert) with the problem's path."""
    page = open_page(browser, base_url, 375)
    try:
        bad = {"policy": [{"startDate": "nope"}], "booking": load(GOTADI / "booking.json")}
        page.evaluate(
            "(request) => new Promise((resolve) => { const p = document.getElementById('preview');"
            " p.addEventListener('penalty-rendered', () => resolve(null), {once: true});"
            " p.request = request; })",
            bad,
        )
        alert = page.evaluate(
            "() => document.getElementById('preview').shadowRoot"
            ".querySelector('[role=alert]')?.textContent"
        )
        assert alert is not None
        assert "policy.cancelPenalties[0]" in alert
    finally:
        page.context.close()
