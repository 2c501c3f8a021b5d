"""Every provider's configuration has one shape (pydantic-settings): environment and TOML, every
problem at once, ranges checked, secrets hidden, key files checked, nothing secret on a command
line; and the CLI turns each problem into one line and exit 2 (issue 13)."""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.cli import EXIT_USAGE, build_parser, main
from penalty.errors import InvalidInput
from penalty.providers import gotadi, ksher, tiki
from penalty.providers._config import ProviderConfig
from penalty.providers._keys import MAX_KEY_FILE, KeyWarning, load_private_key
from penalty.providers.gotadi.keys import SANDBOX_PUBLIC_KEY_FILE
from penalty.providers.ksher.sandbox import sandbox_key_path

CONFIGS: dict[str, type[ProviderConfig]] = {
    "gotadi": gotadi.Config,
    "tiki": tiki.Config,
    "ksher": ksher.Config,
}
#: The settings each provider cannot do without.
REQUIRED = {
    "gotadi": {"base_url", "api_key", "access_code", "private_key", "public_key"},
    "tiki": {"client_key", "client_secret"},
    "ksher": {"appid", "private_key"},
}


def short_key() -> rsa.RSAPrivateKey:
    """A 511-bit key (cryptography generates nothing under 1024: built from two known primes)."""
    p, q, e = 2**255 - 19, 2**256 - 189, 65537
    d = pow(e, -1, (p - 1) * (q - 1))
    return rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    ).private_key(unsafe_skip_rsa_key_validation=True)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture(scope="module")
def merchant() -> rsa.RSAPrivateKey:
    """A 1024-bit key, the shortest accepted."""
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def _private_file(folder: Path, key: rsa.RSAPrivateKey, mode: int = 0o600) -> Path:
    path = folder / "private.pem"
    path.write_bytes(_pem(key))
    path.chmod(mode)
    return path


def _valid(provider: str, folder: Path, key: rsa.RSAPrivateKey) -> dict[str, str]:
    """A complete environment for ``provider``."""
    private = str(_private_file(folder, key))
    return {
        "gotadi": {
            "PENALTY_GOTADI_BASE_URL": "https://gateway.example",
            "PENALTY_GOTADI_API_KEY": "k",
            "PENALTY_GOTADI_ACCESS_CODE": "c",
            "PENALTY_GOTADI_PRIVATE_KEY": private,
            "PENALTY_GOTADI_PUBLIC_KEY": str(gotadi.bundled_key_path(SANDBOX_PUBLIC_KEY_FILE)),
        },
        "tiki": {"PENALTY_TIKI_CLIENT_KEY": "k", "PENALTY_TIKI_CLIENT_SECRET": "s"},
        "ksher": {
            "PENALTY_KSHER_APPID": "mch1",
            "PENALTY_KSHER_PRIVATE_KEY": private,
            "PENALTY_KSHER_PUBLIC_KEY": str(sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem")),
        },
    }[provider]


@pytest.mark.parametrize("provider", sorted(CONFIGS))
def test_every_missing_setting_is_reported_at_once(provider: str) -> None:
    """Nothing set: one InvalidInput that names every missing setting and its variable."""
    with pytest.raises(InvalidInput) as caught:
        CONFIGS[provider].load(environ={})
    message = str(caught.value)
    for name in REQUIRED[provider]:
        assert f"{name}: missing" in message
        assert f"PENALTY_{provider.upper()}_{name.upper()}" in message
    assert caught.value.path == provider


@pytest.mark.parametrize("provider", sorted(CONFIGS))
@pytest.mark.parametrize("timeout", ["inf", "nan", "-1", "0", "1e9", "soon"])
def test_a_timeout_is_finite_positive_and_bounded(
    provider: str, timeout: str, tmp_path: Path, merchant: rsa.RSAPrivateKey
) -> None:
    """PENALTY_<P>_TIMEOUT of inf, nan, -1, 0, a billion seconds or a word: InvalidInput."""
    environ = {
        **_valid(provider, tmp_path, merchant),
        f"PENALTY_{provider.upper()}_TIMEOUT": timeout,
    }
    with pytest.raises(InvalidInput) as caught:
        CONFIGS[provider].load(environ=environ)
    assert caught.value.path == f"{provider}.timeout"


@pytest.mark.parametrize(
    ("provider", "variable"),
    [("gotadi", "API_KEY"), ("gotadi", "ACCESS_CODE"), ("gotadi", "BEARER_TOKEN"),
     ("tiki", "CLIENT_KEY"), ("ksher", "APPID")],
)  # fmt: skip
def test_a_header_value_must_be_printable_ascii(
    provider: str, variable: str, tmp_path: Path, merchant: rsa.RSAPrivateKey
) -> None:
    """A non-ASCII key or code (it travels in an HTTP header): InvalidInput, value unsaid."""
    value = "clé-secrète"
    environ = {
        **_valid(provider, tmp_path, merchant),
        f"PENALTY_{provider.upper()}_{variable}": value,
    }
    with pytest.raises(InvalidInput) as caught:
        CONFIGS[provider].load(environ=environ)
    assert caught.value.path == f"{provider}.{variable.lower()}"
    assert value not in str(caught.value)


@pytest.mark.parametrize("provider", sorted(CONFIGS))
def test_a_config_file_that_is_not_a_file_is_refused_at_once(provider: str, tmp_path: Path) -> None:
    """--config /dev/zero, a FIFO or a directory: refused without reading it (no hang)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo), str(tmp_path)):
        with pytest.raises(InvalidInput) as caught:
            CONFIGS[provider].load(config_file=path, environ={})
        assert caught.value.code in {"not_a_file", "unreadable"}


def test_a_config_file_too_large_is_refused(tmp_path: Path) -> None:
    """A config file over 1 MiB is not read whole."""
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n[tiki]\n")
    with pytest.raises(InvalidInput) as caught:
        tiki.Config.load(config_file=big, environ={})
    assert caught.value.code == "too_large"


@pytest.mark.parametrize("provider", ["gotadi", "ksher"])
def test_a_key_path_of_dev_zero_is_refused_at_once(
    provider: str, tmp_path: Path, merchant: rsa.RSAPrivateKey
) -> None:
    """A key file of /dev/zero or a key file over 64 KiB: InvalidInput naming the setting."""
    variable = f"PENALTY_{provider.upper()}_PRIVATE_KEY"
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * (MAX_KEY_FILE + 1))
    big.chmod(0o600)
    for path, code in (("/dev/zero", "not_a_file"), (str(big), "too_large")):
        environ = {**_valid(provider, tmp_path, merchant), variable: path}
        with pytest.raises(InvalidInput) as caught:
            CONFIGS[provider].load(environ=environ)
        assert (caught.value.path, caught.value.code) == (f"{provider}.private_key", code)


@pytest.mark.parametrize("provider", ["gotadi", "ksher"])
def test_a_private_key_file_others_can_read_warns(
    provider: str, tmp_path: Path, merchant: rsa.RSAPrivateKey
) -> None:
    """A private key file readable by the group or everyone loads with a KeyWarning."""
    environ = _valid(provider, tmp_path, merchant)
    Path(environ[f"PENALTY_{provider.upper()}_PRIVATE_KEY"]).chmod(0o644)
    with pytest.warns(KeyWarning, match="chmod 600"):
        CONFIGS[provider].load(environ=environ)
    Path(environ[f"PENALTY_{provider.upper()}_PRIVATE_KEY"]).chmod(0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CONFIGS[provider].load(environ=environ)


@pytest.mark.parametrize("provider", ["gotadi", "ksher"])
def test_short_keys_are_refused(provider: str, tmp_path: Path) -> None:
    """A private key under 1024 bits (Gotadi's minimum, and a Ksher merchant key's): refused."""
    short = short_key()
    with pytest.raises(InvalidInput) as caught:
        CONFIGS[provider].load(environ=_valid(provider, tmp_path, short))
    assert caught.value.code == "key_too_short"


def test_ksher_published_512_bit_key_loads_with_a_warning(
    tmp_path: Path, merchant: rsa.RSAPrivateKey
) -> None:
    """Without public_key, Ksher's answers are verified with its published RSA-512 key, and
    the config says what that is worth."""
    environ = _valid("ksher", tmp_path, merchant)
    del environ["PENALTY_KSHER_PUBLIC_KEY"]
    with pytest.warns(KeyWarning, match="512 bits"):
        config = ksher.Config.load(environ=environ)
    assert config.gateway_key.key_size == 512


def test_a_key_object_in_code_is_checked_too() -> None:
    """The loader checks a key given as an object the same way as one from a file."""
    with pytest.raises(InvalidInput, match="511 bits"):
        load_private_key(short_key(), setting="x", min_bits=1024)


@pytest.mark.parametrize("provider", sorted(CONFIGS))
def test_a_config_built_in_code_reads_no_environment(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Config(...)`` takes exactly what it is given; only ``Config.load`` reads the
    environment and files."""
    monkeypatch.setenv(f"PENALTY_{provider.upper()}_TIMEOUT", "7")
    with pytest.raises(InvalidInput) as caught:
        CONFIGS[provider]()
    assert "timeout" not in str(caught.value)


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    """The [tiki] table, overlaid by PENALTY_TIKI_*, overlaid by keyword overrides."""
    config = tmp_path / "penalty.toml"
    config.write_text('[tiki]\nclient_key = "file"\nclient_secret = "s"\ntimeout = 3\n')
    env = {"PENALTY_TIKI_CLIENT_KEY": "env", "PENALTY_TIKI_CONFIG": str(config)}
    loaded = tiki.Config.load(environ=env, timeout=4)
    assert (loaded.client_key, loaded.timeout) == ("env", 4.0)


# -- the command line: one line, exit 2 ------------------------------------------------------------

CLI = {
    "gotadi": ["gotadi", "check", "EX3"],
    "tiki": ["tiki", "cancel", "1", "--comment", "x"],
    "ksher": ["ksher", "query", "BK-1"],
}


@pytest.mark.parametrize("provider", sorted(CLI))
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TIMEOUT", "inf"),
        ("TIMEOUT", "nan"),
        ("CONFIG", "/dev/zero"),
        ("BASE_URL", "http://x:70000"),
    ],
    ids=["timeout-inf", "timeout-nan", "config-dev-zero", "port-70000"],
)
def test_bad_settings_are_one_line_and_exit_2(
    provider: str,
    variable: str,
    value: str,
    tmp_path: Path,
    merchant: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """PENALTY_<P>_TIMEOUT=inf, a config of /dev/zero, a port of 70000: exit 2, one line."""
    for name in list(os.environ):
        if name.startswith(f"PENALTY_{provider.upper()}_"):
            monkeypatch.delenv(name)
    for name, setting in {
        **_valid(provider, tmp_path, merchant),
        f"PENALTY_{provider.upper()}_{variable}": value,
    }.items():
        monkeypatch.setenv(name, setting)
    assert main(CLI[provider]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("penalty: error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_non_ascii_api_key_is_one_line_and_exit_2(
    tmp_path: Path,
    merchant: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """PENALTY_GOTADI_API_KEY with an accent: exit 2 naming the setting, not a traceback."""
    for name, value in _valid("gotadi", tmp_path, merchant).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PENALTY_GOTADI_API_KEY", "clé")
    assert main(CLI["gotadi"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "gotadi.api_key" in err
    assert err.count("\n") == 1


def test_a_key_warning_is_one_line_on_the_cli(
    tmp_path: Path,
    merchant: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CLI shows a KeyWarning as ``penalty: warning: …`` on one line."""
    for name, value in _valid("ksher", tmp_path, merchant).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PENALTY_KSHER_BASE_URL", "http://127.0.0.1:9")  # nothing listens
    Path(os.environ["PENALTY_KSHER_PRIVATE_KEY"]).chmod(0o640)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        main(CLI["ksher"])
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith("penalty: warning: ksher.private_key:")
    assert stat.S_IMODE(Path(os.environ["PENALTY_KSHER_PRIVATE_KEY"]).stat().st_mode) == 0o640


def _options(argv: list[str]) -> set[str]:
    parser = build_parser()
    subparsers: Any = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
    for word in argv:
        parser = subparsers.choices[word]
        actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        subparsers = actions[0] if actions else None
    return {option for action in parser._actions for option in action.option_strings}


@pytest.mark.parametrize("provider", ["gotadi", "tiki", "ksher"])
def test_no_sandbox_takes_a_secret_on_its_command_line(provider: str) -> None:
    """``penalty sandbox PROVIDER`` options: --port, --slow-delay, --config (credentials from
    a file), and paths; never a key, code, token or secret (visible in ``ps``)."""
    options = _options(["sandbox", provider])
    assert {"--port", "--slow-delay", "--config"} <= options
    for option in options:
        assert not any(word in option for word in ("api-key", "access-code", "token", "secret"))
