"""The one RSA key loader of every provider: PEM, bare base64 DER or .NET ``<RSAKeyValue>`` XML.

Every key a provider uses goes through here, with the same checks:

* **size**: a key shorter than the provider's minimum is refused (``key_too_short``): Gotadi's
  keys at least 1024 bits (its documented minimum), a Ksher merchant key at least 1024 bits. A
  *provider's own* key that we cannot refuse (Ksher's published 512-bit gateway key) loads with a
  `KeyWarning`: a signature made with it proves little, since RSA-512 can be factored.
* **files**: a key file is read only if it is a regular file of at most `MAX_KEY_FILE` bytes
  (``/dev/zero`` or a FIFO is refused at once: ``not_a_file``, ``too_large``); a *private* key
  file that other users may read loads with a `KeyWarning` (``chmod 600`` it).
* **errors** name the setting or file (``gotadi.private_key``), never key material.

Formats are told apart by their first characters: ``-----BEGIN`` (PEM: PKCS#1 or PKCS#8 private,
SubjectPublicKeyInfo or PKCS#1 public), ``<`` (XML, the form Gotadi's Java samples read), else
bare base64 DER (a Java ``PublicKey.getEncoded()``).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree as ET

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.errors import InvalidInput

__all__ = [
    "MAX_KEY_FILE",
    "KeyWarning",
    "load_private_key",
    "load_public_key",
    "read_key_file",
    "read_limited",
]

#: The largest key file read (a 4096-bit private key in XML is about 3.5 kB).
MAX_KEY_FILE = 64 * 1024
_XML_PUBLIC = ("Modulus", "Exponent")
_BARE_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")
_K = TypeVar("_K", rsa.RSAPrivateKey, rsa.RSAPublicKey)
KeySource = str | bytes | Path


class KeyWarning(UserWarning):
    """A key that works but should not be trusted as it is: a provider's weak key, or a private
    key file that other users can read.
    """


def read_limited(path: str | Path, *, setting: str, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises:
        InvalidInput: ``unreadable``, ``not_a_file`` (a device, a FIFO, a directory) or
            ``too_large``, naming ``setting`` and the file (never its content).

    Example:
        >>> read_limited("/dev/zero", setting="gotadi.private_key", limit=1024)
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: gotadi.private_key: /dev/zero is not a regular file
    """
    regular = True
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (no effect on a regular file).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
            data = handle.read(limit + 1) if regular else b""
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
        reason = exc.strerror if isinstance(exc, OSError) else "its name holds a NUL character"
        raise InvalidInput(
            f"cannot read the {what} {path} ({reason})", path=setting, code="unreadable"
        ) from None
    if not regular:
        raise InvalidInput(f"{path} is not a regular file", path=setting, code="not_a_file")
    if len(data) > limit:
        raise InvalidInput(f"{path} is larger than {limit} bytes", path=setting, code="too_large")
    return data


def read_key_file(path: str | Path, *, setting: str, private: bool) -> bytes:
    """A key file's bytes (`read_limited`); a private one readable by others warns first."""
    data = read_limited(path, setting=setting, limit=MAX_KEY_FILE, what="key file")
    if private and os.name == "posix":
        mode = Path(path).stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            warnings.warn(
                KeyWarning(
                    f"{setting}: the private key file {path} can be read by other users "
                    f"(mode {stat.S_IMODE(mode):04o}): chmod 600 it"
                ),
                stacklevel=3,
            )
    return data


def _text(data: bytes | str, setting: str) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig").strip()
        except UnicodeDecodeError:
            raise InvalidInput(
                "is not a text key (PEM, base64 DER or XML)", path=setting, code="invalid_key"
            ) from None
    return data.lstrip("\ufeff").strip()


def _is_inline(source: str) -> bool:
    return source.lstrip("\ufeff").lstrip().startswith(("-----BEGIN", "<"))


def _material(source: KeySource, setting: str, *, private: bool) -> str:
    """The key's text: ``bytes`` and PEM or XML text as they are; a `Path` or any other `str`
    names a file to read.
    """
    if isinstance(source, Path) or (isinstance(source, str) and not _is_inline(source)):
        return _text(read_key_file(source, setting=setting, private=private), setting)
    return _text(source, setting)


def _invalid(setting: str, message: str) -> InvalidInput:
    return InvalidInput(message, path=setting, code="invalid_key")


def _checked(key: _K, setting: str, min_bits: int, weak_below: int | None, who: str) -> _K:
    if key.key_size < min_bits:
        raise InvalidInput(
            f"RSA key has {key.key_size} bits; {who} needs at least {min_bits}",
            path=setting,
            code="key_too_short",
        )
    if weak_below is not None and key.key_size < weak_below:
        warnings.warn(
            KeyWarning(
                f"{setting}: {who}'s RSA key has only {key.key_size} bits; a signature made "
                "with it can be forged by anyone who factors it"
            ),
            stacklevel=4,
        )
    return key


def _xml_numbers(text: str, setting: str) -> dict[str, int]:
    try:
        root = ET.fromstring(text)  # noqa: S314 - the operator's own key file, size-limited
    except ET.ParseError:
        raise _invalid(setting, "is not well-formed <RSAKeyValue> XML") from None
    if root.tag != "RSAKeyValue":
        raise _invalid(setting, "XML key must be an <RSAKeyValue> element")
    numbers: dict[str, int] = {}
    for child in root:
        raw = (child.text or "").strip()
        try:
            numbers[child.tag] = int.from_bytes(base64.b64decode(raw, validate=True), "big")
        except (binascii.Error, ValueError):
            raise _invalid(setting, f"<{child.tag}> is not base64") from None
    for name in _XML_PUBLIC:
        if not numbers.get(name):
            raise _invalid(setting, f"XML key has no <{name}>")
    return numbers


def _xml_private(numbers: dict[str, int], setting: str) -> rsa.RSAPrivateKey:
    n, e, d = numbers["Modulus"], numbers["Exponent"], numbers.get("D")
    if not d:
        raise _invalid(setting, "XML key has no <D>: it is a public key")
    try:
        p, q = numbers.get("P"), numbers.get("Q")
        if not (p and q):
            p, q = rsa.rsa_recover_prime_factors(n, e, d)
        return rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=numbers.get("DP") or rsa.rsa_crt_dmp1(d, p),
            dmq1=numbers.get("DQ") or rsa.rsa_crt_dmq1(d, q),
            iqmp=numbers.get("InverseQ") or rsa.rsa_crt_iqmp(p, q),
            public_numbers=rsa.RSAPublicNumbers(e, n),
        ).private_key()
    except ValueError:
        raise _invalid(setting, "XML key is not a valid RSA private key") from None


def load_private_key(
    source: KeySource | rsa.RSAPrivateKey,
    *,
    setting: str = "private_key",
    min_bits: int = 1024,
    who: str = "this provider",
    password: bytes | None = None,
) -> rsa.RSAPrivateKey:
    """An RSA private key from a file (`Path` or path string), PEM or XML text, or a key object.

    Raises:
        InvalidInput: unreadable, not an RSA private key (``invalid_key``), or shorter than
            ``min_bits`` (``key_too_short``); named by ``setting``.

    Example:
        >>> key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        >>> load_private_key(key, setting="x.private_key", min_bits=2048, who="X")
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: x.private_key: RSA key has 1024 bits; X needs at least 2048
    """
    if isinstance(source, rsa.RSAPrivateKey):
        return _checked(source, setting, min_bits, None, who)
    text = _material(source, setting, private=True)
    with _naming(source, setting):
        key = _parse_private(text, setting, password)
    return _checked(key, setting, min_bits, None, who)


def load_public_key(
    source: KeySource | rsa.RSAPublicKey,
    *,
    setting: str = "public_key",
    min_bits: int = 1024,
    weak_below: int | None = None,
    who: str = "this provider",
) -> rsa.RSAPublicKey:
    """An RSA public key from a file, PEM (SPKI or PKCS#1), bare base64 DER or XML, or a key.

    A private key given where a public one is wanted is refused rather than silently reduced.
    A key shorter than ``weak_below`` (but not than ``min_bits``) loads with a `KeyWarning`.

    Example:
        >>> public = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
        >>> load_public_key(public).key_size
        1024
    """
    if isinstance(source, rsa.RSAPublicKey):
        return _checked(source, setting, min_bits, weak_below, who)
    text = _material(source, setting, private=False)
    with _naming(source, setting):
        key = _parse_public(text, setting)
    return _checked(key, setting, min_bits, weak_below, who)


@contextmanager
def _naming(source: KeySource, setting: str) -> Iterator[None]:
    """An unreadable key *file* is named in the error (its content never is)."""
    try:
        yield
    except InvalidInput as exc:
        if isinstance(source, bytes) or (isinstance(source, str) and _is_inline(source)):
            raise
        raise InvalidInput(f"{source}: {exc.message}", path=setting, code=exc.code) from None


def _parse_private(text: str, setting: str, password: bytes | None) -> rsa.RSAPrivateKey:
    if text.startswith("<"):
        return _xml_private(_xml_numbers(text, setting), setting)
    try:
        loaded = serialization.load_pem_private_key(text.encode(), password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _invalid(setting, "is not a PEM or XML RSA private key (unencrypted)") from None
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise _invalid(setting, "is not an RSA key")
    return loaded


def _parse_public(text: str, setting: str) -> rsa.RSAPublicKey:
    if text.startswith("<"):
        numbers = _xml_numbers(text, setting)
        if "D" in numbers:
            raise _invalid(setting, "is a private key; give the public key only")
        try:
            return rsa.RSAPublicNumbers(numbers["Exponent"], numbers["Modulus"]).public_key()
        except ValueError:
            raise _invalid(setting, "XML key is not a valid RSA public key") from None
    unreadable = _invalid(setting, "is not a PEM, base64 DER or XML RSA public key")
    if "-----BEGIN " not in text and not _BARE_BASE64.fullmatch(text):
        raise unreadable
    try:
        if "-----BEGIN " in text:
            loaded = serialization.load_pem_public_key(text.encode())
        else:
            loaded = serialization.load_der_public_key(base64.b64decode("".join(text.split())))
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        raise unreadable from None
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise _invalid(setting, "is not an RSA key")
    return loaded
