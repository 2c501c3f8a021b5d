"""Every call the service makes into the engine, in one module.

The service never computes a fee itself: it parses a payload with `penalty.formats`, validates
the booking with `Booking`, compiles with `Policy.timeline`, and quotes, lists segments or
previews with the timeline. `Engine` is the seam: the benchmark swaps in a reference engine
(``bench/serve.py``) to compare the same HTTP service on another fee computation.
"""

from __future__ import annotations

import json
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any, Literal

from penalty.booking import Booking
from penalty.errors import InvalidPolicy
from penalty.formats import FORMATS, ZONED
from penalty.formats import parse as parse_policy
from penalty.timeline import Quote, Timeline

__all__ = ["FORMAT_NAMES", "Engine", "format_table"]

Fold = Literal["raise", "earlier", "later"]

#: Quote texts kept (each a few hundred bytes); past this the memo starts afresh.
_TEXTS = 8192
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: The formats a request may name (``auto`` detects it from the payload's keys).
FORMAT_NAMES: tuple[str, ...] = ("auto", *FORMATS)


def format_table() -> list[dict[str, Any]]:
    """One row per provider format: its name and whether it takes a ``zone``."""
    rows: list[dict[str, Any]] = [{"name": "auto", "zone": "optional"}]
    for name in FORMATS:
        if name == "ratehawk":
            zone = "required"
        elif name in ZONED:
            zone = "optional"
        else:
            zone = "refused"
        rows.append({"name": name, "zone": zone})
    return rows


class Engine:
    """The engine's public API, as the service uses it.

    ``compile`` returns an opaque compiled object (a `Timeline`) that the service caches;
    the other methods take that object back.
    """

    #: Whether compiled objects may be kept and reused (the reference engine's are not).
    cacheable = True

    def compile(
        self,
        policy: Any,
        booking: Any,
        *,
        format: str,  # noqa: A002 - the request member's name
        zone: str | None,
        fold: Fold,
        max_windows: int,
    ) -> Any:
        """Parse ``policy`` in ``format`` and compile it against ``booking``.

        Raises:
            InvalidInput: a malformed payload or booking (the engine's own errors), or more
                than ``max_windows`` windows (``too_many_windows``).
        """
        parsed = parse_policy(policy, format=format, zone=zone, fold=fold)
        if len(parsed.windows) > max_windows:
            raise InvalidPolicy(
                f"the policy has more than {max_windows} windows",
                path="policy",
                value=len(parsed.windows),
                code="too_many_windows",
            )
        return parsed.timeline(Booking.model_validate(booking))

    def __init__(self) -> None:
        #: id(quote) → (quote, its JSON text without the closing brace). A timeline keeps the
        #: `Quote` of each interval once built, so a page asking again reuses the text; the
        #: quote is held here too, so its id cannot be reused while it is a key.
        self._texts: dict[int, tuple[Quote, bytes]] = {}

    def quote(self, compiled: Any, at: datetime | str) -> dict[str, Any]:
        """`Quote.to_json` of cancelling at ``at`` (aware datetime or ISO 8601 text)."""
        timeline: Timeline = compiled
        return timeline.quote(at).to_json()

    def quote_json(self, compiled: Any, at: datetime | str, at_text: str) -> bytes:
        """The JSON text of `quote` with ``"at": at_text`` added (the response body)."""
        timeline: Timeline = compiled
        quote = timeline.quote(at)
        known = self._texts.get(id(quote))
        if known is None or known[0] is not quote:
            if len(self._texts) >= _TEXTS:
                self._texts.clear()
            text = _encode(quote.to_json()).encode()[:-1]
            known = self._texts[id(quote)] = (quote, text)
        return b"".join((known[1], b',"at":', encode_basestring_ascii(at_text).encode(), b"}"))

    def schedule(self, compiled: Any) -> dict[str, Any]:
        """The schedule: currency, total, segments and warnings (as ``penalty schedule``)."""
        timeline: Timeline = compiled
        return {
            "currency": timeline.currency,
            "total": str(timeline.booking.total),
            "segments": [segment.to_json() for segment in timeline.segments],
            "warnings": [warning.model_dump() for warning in timeline.warnings],
        }

    def preview(
        self,
        compiled: Any,
        *,
        locale: str,
        now: datetime | str,
        viewer_tz: str | None,
        svg_width: int | None = None,
    ) -> dict[str, Any] | str:
        """The UI JSON (`Preview.to_json`), or the SVG chart ``svg_width`` wide when given."""
        from penalty.preview import preview
        from penalty.preview.svg import render

        shown = preview(compiled, locale, now=now, viewer_tz=viewer_tz)
        if svg_width is not None:
            return render(shown, width=svg_width)
        return shown.to_json()
