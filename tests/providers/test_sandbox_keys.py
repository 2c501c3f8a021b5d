"""The sandboxes' TEST-ONLY keys: made on first use in a per-user directory, whole, private."""

from __future__ import annotations

import stat
import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from penalty.providers import _sandbox_keys
from penalty.providers._sandbox import SandboxServer
from penalty.providers._sandbox_keys import ENV_VAR, sandbox_file, sandbox_root
from penalty.providers.gotadi import Client, Config, Sandbox
from penalty.providers.gotadi.keys import (
    PARTNER_KEY_FILE,
    SANDBOX_KEY_FILE,
    SANDBOX_PUBLIC_KEY_FILE,
    bundled_key_path,
    load_private_key,
    load_public_key,
)
from penalty.providers.gotadi.sandbox_data import SANDBOX_CONFIG_FILE
from penalty.providers.ksher import Sandbox as KsherSandbox
from penalty.providers.ksher.sandbox import load_test_only_key, sandbox_key_path
from penalty.providers.ksher.signing import load_public_key as load_ksher_public_key

GOTADI_FILES = (PARTNER_KEY_FILE, SANDBOX_KEY_FILE, SANDBOX_PUBLIC_KEY_FILE, SANDBOX_CONFIG_FILE)
KSHER_FILES = (
    "ksher-merchant-TEST-ONLY.pem",
    "ksher-gateway-TEST-ONLY.pem",
    "ksher-gateway-TEST-ONLY-public.pem",
)


@pytest.fixture
def fresh_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty key directory for this test only."""
    root = tmp_path / "keys"
    monkeypatch.setenv(ENV_VAR, str(root))
    return root


def _public_numbers(pem: bytes) -> object:
    return load_public_key(pem, setting="test").public_numbers()


def test_the_first_use_makes_the_whole_set_and_later_uses_reuse_it(fresh_root: Path) -> None:
    """Asking for one file writes all four Gotadi files; asking again changes nothing."""
    config = bundled_key_path(SANDBOX_CONFIG_FILE)
    assert config == fresh_root / "gotadi" / SANDBOX_CONFIG_FILE
    assert sorted(p.name for p in config.parent.iterdir()) == sorted(GOTADI_FILES)
    before = {name: (config.parent / name).read_bytes() for name in GOTADI_FILES}
    assert bundled_key_path(SANDBOX_KEY_FILE).read_bytes() == before[SANDBOX_KEY_FILE]
    assert {name: (config.parent / name).read_bytes() for name in GOTADI_FILES} == before


def test_each_set_is_readable_by_its_owner_only(fresh_root: Path) -> None:
    """The directory is 0700 and every file 0600 (fake keys, but keys all the same)."""
    directory = sandbox_key_path(KSHER_FILES[0]).parent
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in KSHER_FILES:
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600


def test_the_gotadi_set_pairs_up_and_its_config_reaches_the_sandbox(fresh_root: Path) -> None:
    """The public PEM is the sandbox key's; the TOML names the partner key, and a client built
    from it cancels on a sandbox using the same set."""
    sandbox_pem = bundled_key_path(SANDBOX_KEY_FILE).read_bytes()
    private = load_private_key(sandbox_pem)
    public = bundled_key_path(SANDBOX_PUBLIC_KEY_FILE).read_bytes()
    assert _public_numbers(public) == private.public_key().public_numbers()
    assert all("TEST-ONLY" in bundled_key_path(name).read_text() for name in GOTADI_FILES)
    config = bundled_key_path(SANDBOX_CONFIG_FILE)
    with SandboxServer(Sandbox.with_test_keys()) as server:
        settings = Config.load(config_file=config, environ={}, base_url=server.url)
        with Client(settings) as client:
            answer = client.cancel("EX3", Decimal(2100000))  # sealed and signed both ways
    assert answer.error_code.value == "00"


def test_the_ksher_set_pairs_up_with_the_sandbox(fresh_root: Path) -> None:
    """The gateway's public PEM verifies the sandbox's answers; the keys are 1024-bit PKCS#1."""
    public = load_ksher_public_key(
        sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem").read_bytes()
    )
    assert public.public_numbers() == KsherSandbox().public_key.public_numbers()
    assert load_test_only_key("merchant").key_size == 1024
    assert b"BEGIN RSA PRIVATE KEY" in sandbox_key_path("ksher-merchant-TEST-ONLY.pem").read_bytes()


def test_the_default_place_is_the_users_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the variable: $XDG_CACHE_HOME/penalty/sandbox-keys, else ~/.cache/…."""
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert sandbox_root() == tmp_path / "xdg" / "penalty" / "sandbox-keys"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert sandbox_root() == tmp_path / "home" / ".cache" / "penalty" / "sandbox-keys"


def test_an_incomplete_set_is_made_again(fresh_root: Path) -> None:
    """A file deleted by hand: the next use makes a whole new set, consistent again."""
    old = bundled_key_path(SANDBOX_KEY_FILE).read_bytes()
    bundled_key_path(SANDBOX_PUBLIC_KEY_FILE).unlink()
    public = bundled_key_path(SANDBOX_PUBLIC_KEY_FILE).read_bytes()
    new = bundled_key_path(SANDBOX_KEY_FILE).read_bytes()
    assert new != old
    private = load_private_key(new)
    assert _public_numbers(public) == private.public_key().public_numbers()
    assert sorted(p.name for p in fresh_root.iterdir()) == ["gotadi"]  # nothing left behind


def test_racing_first_uses_agree_on_one_set(fresh_root: Path) -> None:
    """Several threads asking at once (as processes might) all end up with the same files."""
    paths: list[bytes] = []
    start = threading.Barrier(4)

    def ask() -> None:
        start.wait()
        paths.append(sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem").read_bytes())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem").read_bytes()
    assert paths == [final] * 4
    assert (
        load_ksher_public_key(final).public_numbers() == KsherSandbox().public_key.public_numbers()
    )
    assert sorted(p.name for p in fresh_root.iterdir()) == ["ksher"]


def test_an_unwritable_place_falls_back_to_a_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only home: the set is made in a directory of this process (the sandbox still runs)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv(ENV_VAR, str(blocker / "keys"))
    monkeypatch.setattr(_sandbox_keys, "_FALLBACK", {})
    path = sandbox_key_path("ksher-gateway-TEST-ONLY.pem")
    assert not path.is_relative_to(blocker)
    assert path.is_file()
    assert sandbox_key_path("ksher-gateway-TEST-ONLY.pem") == path  # the same one, from then on
    sandbox = KsherSandbox()
    with sandbox.serve() as server, sandbox.client(server.url) as client:
        assert client.cancel_order("BK-1").outcome.value == "cancelled"


def test_a_maker_must_make_the_file_asked_for(fresh_root: Path) -> None:
    """A set without the requested name is a programming error, not a missing file later."""

    def make() -> Mapping[str, bytes]:
        return {"a.pem": b"x"}

    with pytest.raises(ValueError, match=r"no b\.pem"):
        sandbox_file("demo", "b.pem", make)
