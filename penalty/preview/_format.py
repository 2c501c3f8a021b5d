"""babel with one explicit locale: money, shares, dates, times, zone names, relative times.

Nothing here reads the machine's locale, zone or clock: every babel call names its locale, and
every date is formatted in the zone of the datetime it is given.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_datetime,
    format_skeleton,
    format_timedelta,
    get_datetime_format,
    get_timezone_gmt,
    get_timezone_location,
)
from babel.numbers import format_currency, format_percent

from penalty.errors import InvalidInput
from penalty.instants import EPOCH
from penalty.money import round_half_up
from penalty.preview._messages import LANGUAGES, Messages

__all__ = ["Formatter", "parse_locale"]

#: The longest locale name read (``"sr_Latn_ME"`` and its kin are far shorter).
_MAX_LOCALE = 64
#: A share of the whole total, in percent.
_ALL = 100
_MAX_SHARE_DIGITS = 30
#: babel's units for relative times, largest first (`babel.dates.TIMEDELTA_UNITS`).
_UNITS = (
    timedelta(days=365),
    timedelta(days=30),
    timedelta(days=7),
    timedelta(days=1),
    timedelta(hours=1),
    timedelta(minutes=1),
    timedelta(seconds=1),
)


def parse_locale(raw: object) -> tuple[Locale, Messages]:
    """A babel `Locale` (``"vi_VN"``, ``"en-GB"``) and its language's wording.

    Raises:
        InvalidInput: ``locale`` is malformed, unknown to CLDR, or in a language with no wording.
    """
    if isinstance(raw, Locale):
        locale = raw
    elif isinstance(raw, str) and raw.strip() and len(raw) <= _MAX_LOCALE:
        try:
            locale = Locale.parse(raw.strip().replace("-", "_"))
        except (ValueError, UnknownLocaleError) as exc:
            raise InvalidInput(
                "unknown locale; use a CLDR name like 'vi_VN' or 'en'",
                path="locale",
                value=raw,
                code="unknown_locale",
            ) from exc
    else:
        raise InvalidInput(
            "locale must be a CLDR name like 'vi_VN' or 'en'",
            path="locale",
            value=raw,
            code="invalid_locale",
        )
    messages = LANGUAGES.get(locale.language)
    if messages is None:
        supported = ", ".join(sorted(LANGUAGES))
        raise InvalidInput(
            f"no wording for this language yet (supported: {supported})",
            path="locale",
            value=raw if isinstance(raw, str) else str(raw),
            code="unsupported_locale",
        )
    return locale, messages


class Formatter:
    r"""babel with one explicit locale: money, shares, dates, times, zones, relative times.

    Example:
        >>> from decimal import Decimal
        >>> fmt = Formatter("vi_VN")
        >>> fmt.money(Decimal("1525000"), "VND"), fmt.share(Decimal("1525000"), Decimal("3000000"))
        ('1.525.000\xa0₫', '50,8%')
    """

    def __init__(self, locale: object) -> None:
        self.locale, self.messages = parse_locale(locale)
        short_time = self.locale.time_formats["short"].pattern
        self._hour = "h" if "h" in short_time or "K" in short_time else "H"
        self._datetime = str(get_datetime_format("medium", locale=self.locale))

    def money(self, amount: Decimal, currency: str) -> str:
        """``amount`` (already rounded to the minor unit) in CLDR style: VND shows no decimals."""
        return format_currency(amount, currency, locale=self.locale)

    def share(self, fee: Decimal, total: Decimal) -> str:
        """``fee / total`` as a percentage, exact, then rounded half-up for humans only.

        One decimal at most ("50.8%", "70%"); more only when one decimal would read as 0% or
        100% for a fee that is neither.
        """
        exact = Fraction(fee) * 100 / Fraction(total)
        digits = 1
        shown = round_half_up(exact, digits)
        while 0 < exact < _ALL and not 0 < shown < _ALL and digits < _MAX_SHARE_DIGITS:
            digits += 1
            shown = round_half_up(exact, digits)
        return format_percent(shown.scaleb(-2), format=f"#,##0.{'#' * digits}%", locale=self.locale)

    def date(self, local: datetime, *, year: bool) -> str:
        """``Mon, May 10, 2021`` / ``Thứ 2, 10 thg 5`` (the locale's order and names)."""
        skeleton = "yMMMEd" if year else "MMMEd"
        return format_skeleton(skeleton, local, tzinfo=local.tzinfo, locale=self.locale)

    def time(self, local: datetime) -> str:
        """``6:00 PM`` / ``18:00`` (the locale's hour cycle); seconds only when there are some."""
        skeleton = f"{self._hour}m"
        if local.second or local.microsecond:
            skeleton += "s"
        if local.microsecond:
            pattern = self.locale.datetime_skeletons[skeleton].pattern.replace("ss", "ss.SSSSSS")
            return format_datetime(local, pattern, tzinfo=local.tzinfo, locale=self.locale)
        return format_skeleton(skeleton, local, tzinfo=local.tzinfo, locale=self.locale)

    def join(self, date_text: str, time_text: str) -> str:
        """A date and a time in the locale's order (``{1}, {0}`` in English)."""
        return self._datetime.replace("{0}", time_text).replace("{1}", date_text)

    def gmt(self, local: datetime) -> str:
        """The offset in force at ``local``: ``GMT+07:00``."""
        return get_timezone_gmt(local, width="long", locale=self.locale)

    def zone_name(self, tz: tzinfo) -> str:
        """``Vietnam Time`` for an IANA city zone, else the GMT offset."""
        key = getattr(tz, "key", None)
        if isinstance(key, str) and "/" in key and not key.startswith("Etc/"):
            return get_timezone_location(tz, locale=self.locale)
        return self.gmt(EPOCH.astimezone(tz))

    def relative(self, delta: timedelta) -> str:
        """``in 22 hours`` / ``sau 22 giờ nữa`` for a non-negative ``delta``, never overstated.

        babel rounds (47 hours would read "in 2 days"); a guest racing a deadline must not be
        told they have longer than they do, so ``delta`` is first cut down to a whole number of
        babel's largest unit that fits, which babel then shows as it is.
        """
        for unit in _UNITS:
            if delta >= unit:
                delta = unit * (delta // unit)
                break
        return format_timedelta(delta, threshold=1, add_direction=True, locale=self.locale)
