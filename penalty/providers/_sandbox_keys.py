"""TEST-ONLY key files for the local sandboxes and the demo: made on first use, never shipped.

The Gotadi and Ksher sandboxes sign with RSA keys, and a client needs the matching halves as files
(``penalty sandbox`` prints their paths for a client in another terminal). The wheel carries no
private key: the first time a provider's set is asked for, it is generated into a per-user
directory and reused from then on, so that a sandbox and a client in another process agree:

1. ``$PENALTY_SANDBOX_KEYS/<provider>`` when that variable is set (the test suite sets it);
2. else ``$XDG_CACHE_HOME/penalty/sandbox-keys/<provider>``, ``~/.cache/…`` without it;
3. else, when that cannot be written (a read-only home), a temporary directory for this process.

A set is created whole or not at all (written to a temporary directory beside it, then renamed
into place), readable by its owner only. Delete the directory to get fresh keys. The keys are
still TEST-ONLY: they protect nothing but a sandbox on 127.0.0.1.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["ENV_VAR", "generate_key", "private_pem", "public_pem", "sandbox_file", "sandbox_root"]

#: Where the sets live, when set (else the per-user cache directory).
ENV_VAR = "PENALTY_SANDBOX_KEYS"

#: Per-process fallback directories, by root they stand in for (removed at exit).
_FALLBACK: dict[Path, Path] = {}


def sandbox_root() -> Path:
    """The directory holding one subdirectory of TEST-ONLY files per provider."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "penalty" / "sandbox-keys"


def generate_key(bits: int) -> rsa.RSAPrivateKey:
    """A fresh RSA key (public exponent 65537)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey, comment: str, *, pkcs8: bool = True) -> bytes:
    """``key`` as an unencrypted PEM (PKCS#8, or PKCS#1 ``RSA PRIVATE KEY``) after a comment."""
    form = (
        serialization.PrivateFormat.PKCS8
        if pkcs8
        else serialization.PrivateFormat.TraditionalOpenSSL
    )
    body = key.private_bytes(serialization.Encoding.PEM, form, serialization.NoEncryption())
    return f"{comment}\n".encode() + body


def public_pem(key: rsa.RSAPublicKey, comment: str) -> bytes:
    """``key`` as a ``PUBLIC KEY`` PEM (SubjectPublicKeyInfo) under a comment line."""
    body = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"{comment}\n".encode() + body


def sandbox_file(provider: str, name: str, make: Callable[[], Mapping[str, bytes]]) -> Path:
    """Path of ``provider``'s TEST-ONLY file ``name``; ``make()`` writes the whole set first if the
    file is missing (it returns ``{file name: content}`` and must include ``name``).
    """
    root = sandbox_root()
    root = _FALLBACK.get(root, root)
    path = root / provider / name
    if path.is_file():
        return path
    files = make()
    if name not in files:
        msg = f"the {provider} sandbox key set has no {name}"
        raise ValueError(msg)
    try:
        _install(root / provider, files)
    except OSError:
        root = _fallback_for(sandbox_root())
        path = root / provider / name
        if not path.is_file():
            _install(root / provider, files)
    return path


def _install(directory: Path, files: Mapping[str, bytes]) -> None:
    """Put ``files`` in ``directory`` all at once, unless another process just did."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        for name, content in files.items():
            target = staging / name
            target.write_bytes(content)
            target.chmod(0o600)
        try:
            staging.rename(directory)
        except OSError:
            if all((directory / name).is_file() for name in files):
                return  # made meanwhile by another process: theirs is as good as ours
            # an incomplete set (a file deleted by hand): set it aside, put ours in place
            stale = Path(tempfile.mkdtemp(prefix=f".{directory.name}-stale-", dir=directory.parent))
            directory.rename(stale / directory.name)
            shutil.rmtree(stale, ignore_errors=True)
            staging.rename(directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _fallback_for(root: Path) -> Path:
    """A temporary directory standing in for an unwritable ``root`` until this process exits."""
    made = _FALLBACK.get(root)
    if made is None:
        made = _FALLBACK[root] = Path(tempfile.mkdtemp(prefix="penalty-sandbox-keys-"))
        atexit.register(shutil.rmtree, made, ignore_errors=True)
    return made
