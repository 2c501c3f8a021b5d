"""``penalty ksher cancel|query`` against the sandbox: output, exit codes, config, no key leaks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from penalty.cli import ksher as ksher_cli
from penalty.errors import PenaltyError
from penalty.providers._keys import KeyWarning
from penalty.providers._sandbox import SandboxServer
from penalty.providers.ksher import Client, Config, Sandbox

_MERCHANT = rsa.generate_private_key(public_exponent=65537, key_size=1024)
_PEM = _MERCHANT.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.TraditionalOpenSSL,
    serialization.NoEncryption(),
)
#: Test secrets: the private key's PEM body lines and its private exponent, in any usual form.
SECRETS = [
    *(line for line in _PEM.decode().splitlines() if not line.startswith("-----")),
    str(_MERCHANT.private_numbers().d),
    format(_MERCHANT.private_numbers().d, "x"),
]


@pytest.fixture
def sandbox() -> Sandbox:
    """A sandbox that trusts this module's freshly generated merchant key."""
    return Sandbox(merchant_key=_MERCHANT.public_key())


@pytest.fixture
def key_files(tmp_path: Path, sandbox: Sandbox) -> tuple[Path, Path]:
    """The merchant private key and the sandbox's public key, as PEM files."""
    private = tmp_path / "merchant.pem"
    private.write_bytes(_PEM)
    private.chmod(0o600)
    public = tmp_path / "gateway-public.pem"
    public.write_bytes(
        sandbox.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture
def env(
    server: SandboxServer, key_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """``PENALTY_KSHER_*`` pointing at the running sandbox."""
    values = {
        "PENALTY_KSHER_BASE_URL": server.url + "/api",
        "PENALTY_KSHER_APPID": "mch35000",
        "PENALTY_KSHER_PRIVATE_KEY": str(key_files[0]),
        "PENALTY_KSHER_PUBLIC_KEY": str(key_files[1]),
        "PENALTY_KSHER_TIMEOUT": "0.3",
    }
    monkeypatch.delenv("PENALTY_KSHER_CONFIG", raising=False)
    monkeypatch.delenv("PENALTY_KSHER_CONFIRM_UNSIGNED", raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.usefixtures("env")
def test_cancel_prints_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    """A cancel prints the outcome, Ksher's code and message, and how it was verified; exit 0."""
    assert main(["ksher", "cancel", "BK-1"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "ksher order BK-1: cancelled (code 0, 操作成功; signed: CLOSED, 1,500.00 THB" in out
    assert "payment link is closed" in out


@pytest.mark.usefixtures("env")
def test_already_paid_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """Already paid exits 1 and says to refund another way."""
    assert main(["ksher", "cancel", "paid-2"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "already paid" in out
    assert "refund" in out


@pytest.mark.usefixtures("env")
def test_already_cancelled_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """Already cancelled is done, not a failure: exit 0."""
    assert main(["ksher", "cancel", "cancelled-3", "--json"]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert (document["outcome"], document["code"]) == ("already_cancelled", -5)


@pytest.mark.usefixtures("env")
def test_no_confirm(capsys: pytest.CaptureFixture[str], sandbox: Sandbox) -> None:
    """``--no-confirm`` sends only the cancel and says the answer was unsigned."""
    assert main(["ksher", "cancel", "BK-4", "--no-confirm"]) == EXIT_OK
    assert "unsigned answer, not confirmed" in capsys.readouterr().out
    assert len(sandbox.seen) == 1


@pytest.mark.usefixtures("env")
def test_query(capsys: pytest.CaptureFixture[str]) -> None:
    """``ksher query`` prints the signed order state."""
    assert main(["ksher", "query", "BK-5"]) == EXIT_OK
    assert "ksher order BK-5: NOTPAY, 1,500.00 THB (signature checked)" in capsys.readouterr().out
    assert main(["ksher", "query", "BK-5", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["result"] == "NOTPAY"


@pytest.mark.usefixtures("env")
def test_not_found_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A -3 answer (no such order) is a refusal: exit 1 with Ksher's message on stderr."""
    assert main(["ksher", "cancel", "missing-6"]) == EXIT_FAILED
    assert "该订单不存在" in capsys.readouterr().err


def test_missing_private_key_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a private key the CLI exits 2 naming PENALTY_KSHER_PRIVATE_KEY."""
    monkeypatch.delenv("PENALTY_KSHER_CONFIG", raising=False)
    monkeypatch.delenv("PENALTY_KSHER_PRIVATE_KEY", raising=False)
    monkeypatch.setenv("PENALTY_KSHER_APPID", "mch35000")
    assert main(["ksher", "cancel", "X"]) == EXIT_USAGE
    assert "PENALTY_KSHER_PRIVATE_KEY" in capsys.readouterr().err


def test_config_file_paths_are_relative_to_it(tmp_path: Path, key_files: tuple[Path, Path]) -> None:
    """Key paths in the ``[ksher]`` table are relative to the file; defaults fill the rest."""
    config = tmp_path / "penalty.toml"
    config.write_text(
        '[ksher]\nappid = "mch1"\nprivate_key = "merchant.pem"\nconfirm_unsigned = false\n',
        encoding="utf-8",
    )
    with pytest.warns(KeyWarning, match="512 bits"):
        settings = Config.load(config_file=config, environ={})
    assert settings.appid == "mch1"
    assert settings.private_key.private_numbers() == _MERCHANT.private_numbers()
    assert settings.public_key is None  # Ksher's published key
    assert settings.confirm_unsigned is False
    assert settings.base_url == "https://gateway.ksher.com/api"
    env = {"PENALTY_KSHER_CONFIRM_UNSIGNED": "yes", "PENALTY_KSHER_LANG": "th"}
    with pytest.warns(KeyWarning):
        settings = Config.load(config_file=config, environ=env)
    assert (settings.confirm_unsigned, settings.lang) == (True, "th")


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"PENALTY_KSHER_LANG": "fr"}, "ksher.lang"),
        ({"PENALTY_KSHER_CONFIRM_UNSIGNED": "maybe"}, "ksher.confirm_unsigned"),
        ({"PENALTY_KSHER_PUBLIC_KEY": "/nonexistent/k.pem"}, "ksher.public_key"),
        ({"PENALTY_KSHER_BASE_URL": "http://gateway.ksher.com/api"}, "https"),
    ],
    ids=["lang", "flag", "public-key-file", "plain-http"],
)
def test_bad_settings_are_invalid_input(
    key_files: tuple[Path, Path], env: dict[str, str], fragment: str
) -> None:
    """A bad lang, flag, key file or URL is InvalidInput naming the setting."""
    base = {"PENALTY_KSHER_APPID": "mch1", "PENALTY_KSHER_PRIVATE_KEY": str(key_files[0])}
    with pytest.raises(PenaltyError, match=fragment):
        Config.load(environ={**base, **env})


def test_private_key_never_shown(
    env: dict[str, str],
    key_files: tuple[Path, Path],
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No CLI output, repr or error text contains the merchant private key, on any path."""
    texts: list[str] = []
    for argv in (
        ["ksher", "cancel", "BK-7"],
        ["ksher", "cancel", "BK-7", "--json"],
        ["ksher", "cancel", "paid-8", "--json"],
        ["ksher", "cancel", "badsig-9"],
        ["ksher", "cancel", "slow-10"],
        ["ksher", "query", "BK-7", "--json"],
        ["ksher", "cancel", "X", "--base-url", "http://example.com"],
    ):
        main(argv)
        captured = capsys.readouterr()
        texts += [captured.out, captured.err]
    broken = key_files[0].parent / "broken.pem"
    broken.write_bytes(_PEM.replace(b"-----END", b"=====END"))
    broken.chmod(0o600)
    monkeypatch.setenv("PENALTY_KSHER_PRIVATE_KEY", str(broken))
    main(["ksher", "cancel", "BK-11"])
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    settings = Config.load(environ=env)
    with Client(settings) as client:
        texts += [repr(settings), str(settings), repr(client), repr(sandbox)]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
    assert any("cancelled" in text for text in texts)


def _exports(banner: str) -> dict[str, str]:
    pairs = (line.strip().removeprefix("export ").split("=", 1) for line in banner.splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2 and pair[0].startswith("PENALTY_")}


def test_sandbox_hooks_banner_points_the_cli_at_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``penalty sandbox ksher``'s handler and banner: the printed exports make a cancel work."""
    args = argparse.Namespace(slow_delay=1.0, config="ksher.toml")
    handler = ksher_cli.sandbox_handler(args, {"appid": "mch42"})
    with SandboxServer(handler) as server:
        exports = _exports(ksher_cli.sandbox_banner(server.url, args, handler))
        assert exports["PENALTY_KSHER_APPID"] == "mch42"
        assert Path(exports["PENALTY_KSHER_PRIVATE_KEY"]).name == "ksher-merchant-TEST-ONLY.pem"
        for name in ("CONFIG", "CONFIRM_UNSIGNED", "TIMEOUT", "LANG"):
            monkeypatch.delenv(f"PENALTY_KSHER_{name}", raising=False)
        for name, value in exports.items():
            monkeypatch.setenv(name, value)
        assert main(["ksher", "cancel", "BK-12"]) == EXIT_OK
        assert main(["ksher", "cancel", "paid-13"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "BK-12: cancelled" in out
    assert "paid-13: already paid" in out
