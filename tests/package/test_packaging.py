"""Packaging (issue 11): one version everywhere, a lock covering pyproject.toml, and a wheel that
runs the demo outside the repository and carries no TEST-ONLY key."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import penalty
from penalty.cli import main
from tests.helpers import ROOT, penalty_cli

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = ROOT / "requirements" / "lock.txt"


def _lock_diff() -> ModuleType:
    """``.ci/lock_diff.py`` (what ``make test-latest`` prints), imported from its path."""
    spec = importlib.util.spec_from_file_location("lock_diff", ROOT / ".ci" / "lock_diff.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- one version ----------------------------------------------------------------------------------


def test_penalty_version_prints_the_one_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``penalty --version`` = penalty.__version__ = the installed metadata; pyproject reads it."""
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"penalty {penalty.__version__}\n"
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", penalty.__version__)
    assert metadata.version("penalty") == penalty.__version__  # stale install? make reinstalls
    assert "version" not in PROJECT["project"]
    assert PROJECT["project"]["dynamic"] == ["version"]
    assert PROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "penalty.__version__"}


def test_the_console_script_prints_the_version() -> None:
    """The installed ``penalty`` script answers --version and exits 0."""
    done = penalty_cli("--version")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"penalty {penalty.__version__}\n",
        "",
    )


def test_the_changelog_and_license_are_there() -> None:
    """CHANGELOG.md has the version's section and an Unreleased one; LICENSE is pyproject's MIT."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert f"## [{penalty.__version__}]" in changelog
    assert PROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


# -- the lock -------------------------------------------------------------------------------------


def _requirements() -> list[Requirement]:
    project = PROJECT["project"]
    texts = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        texts += extra
    return [Requirement(text) for text in texts]


def test_the_lock_pins_every_requirement_of_every_extra_within_its_range() -> None:
    """Each requirement of pyproject.toml (dependencies and every extra) has a pin in the lock
    that its range allows: a stale lock fails here, before anyone wonders why. `make lock`."""
    pins = _lock_diff().locked(LOCK.read_text(encoding="utf-8"))
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        if name == "penalty":  # an extra naming another (`test` pulls in `server`)
            continue
        assert name in pins, f"{requirement} is not in {LOCK.name}: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{LOCK.name} pins {name}=={pins[name]}, outside {requirement}: run make lock"
        )


def test_the_lock_is_exact_and_hashed() -> None:
    """Every line of the lock is an exact pin with hashes, made by `make lock`."""
    text = LOCK.read_text(encoding="utf-8")
    assert "#    make lock\n" in text
    entries = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2].strip())
    assert len(entries) > 20
    for entry in entries:
        assert re.match(r"[a-z0-9][a-z0-9._-]*==[^ ]+ ", entry), entry
        assert "--hash=sha256:" in entry, entry


def test_the_build_backend_is_the_test_extras() -> None:
    """pyproject's [build-system] setuptools is the one the test extra (and the lock) carries."""
    (backend,) = PROJECT["build-system"]["requires"]
    assert backend in PROJECT["project"]["optional-dependencies"]["test"]


def test_lock_diff_lists_what_differs() -> None:
    """make test-latest's report: each locked package whose version here differs, or is absent."""
    lock_diff = _lock_diff()
    text = (
        "# header\nbabel==2.19.0 \\\n    --hash=sha256:00\n    # via penalty\n"
        "colorama==0.4.6 ; sys_platform == 'never' \\\n    --hash=sha256:11\nruff==0.17.6\n"
    )
    pins = lock_diff.locked(text)
    assert pins == {"babel": "2.19.0", "ruff": "0.17.6"}
    assert lock_diff.report(pins, {"babel": "2.20.0", "ruff": "0.17.6"}) == [
        "  babel 2.19.0 -> 2.20.0"
    ]
    assert lock_diff.report(pins, {"babel": "2.19.0"}) == ["  ruff 0.17.6 -> (not installed here)"]


# -- the wheel ------------------------------------------------------------------------------------

_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(sdist, wheel)`` built like ``make dist`` (the wheel from the sdist), from a copy of the
    sources (nothing written into the checkout), with this environment's locked build tools."""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    shutil.copytree(
        ROOT / "penalty", source / "penalty", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(work / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (sdist,) = (work / "dist").glob("penalty-*.tar.gz")
    (wheel,) = (work / "dist").glob("penalty-*-py3-none-any.whl")
    return sdist, wheel


def test_the_wheel_carries_no_test_only_file_and_no_private_key(built: tuple[Path, Path]) -> None:
    """Neither the wheel nor the sdist holds a *TEST-ONLY* file or any PEM private key; the
    wheel holds the demo's inputs, py.typed, the license and the version."""
    sdist, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            extracted = archive.extractfile(member)
            if extracted is not None:
                contents[f"sdist:{member.name}"] = extracted.read()
    for name, content in contents.items():
        assert "TEST-ONLY" not in name, name
        assert not _PRIVATE_KEY.search(content), name
    names = set(contents)
    assert not any(name.startswith("penalty/data/") for name in names)
    assert {
        "penalty/py.typed",
        "penalty/demos/data/gotadi/booking.json",
        "penalty/demos/data/preview/paris_booking.json",
        f"penalty-{penalty.__version__}.dist-info/licenses/LICENSE",
    } <= names
    wheel_metadata = contents[f"penalty-{penalty.__version__}.dist-info/METADATA"].decode()
    assert f"\nVersion: {penalty.__version__}\n" in wheel_metadata
    assert "\nLicense-Expression: MIT\n" in wheel_metadata
    assert "Provides-Extra: strategies" in wheel_metadata


def test_the_demo_runs_from_the_installed_wheel(built: tuple[Path, Path], tmp_path: Path) -> None:
    """In a new venv holding only the wheel (its dependencies borrowed from this environment,
    no network), outside the checkout: the demo passes, making its sandbox keys on first start
    in the user's cache, and the console script answers --version."""
    _, wheel = built
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = ["install", "--quiet", "--no-deps", "--no-index", str(wheel)]
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run([*pip, *install], check=True, capture_output=True)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A .pth line adds this environment's site-packages *after* the venv's own: the wheel's
    # penalty comes first, and the editable checkout's own .pth there is not processed.
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PENALTY_SANDBOX_KEYS"} and not key.startswith("PENALTY_")
    }
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    home = tmp_path / "home"
    home.mkdir()

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, cwd=home, env=env, capture_output=True, text=True, timeout=180, check=False
        )

    where = run(str(python), "-c", "import penalty; print(penalty.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(venv), where
    demo = run(str(python), "-m", "penalty.demo")
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr
    assert "== Gotadi: check" in demo.stdout
    assert "!! step failed" not in demo.stdout
    assert str(ROOT) not in demo.stdout  # its inputs came from the wheel
    keys = tmp_path / "cache" / "penalty" / "sandbox-keys"
    assert (keys / "gotadi" / "gotadi-sandbox-TEST-ONLY.toml").is_file()
    assert (keys / "ksher" / "ksher-gateway-TEST-ONLY.pem").is_file()
    version = run(str(venv / "bin" / "penalty"), "--version")
    assert (version.returncode, version.stdout) == (0, f"penalty {penalty.__version__}\n")
