"""Shared fixtures: paths of the checkout and a network-blocked notebook runner."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

# Plots in tests never open windows.
matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
LOOPBACK = ["127.0.0.1", "::1", "localhost"]

# Code run first in every kernel the tests start: the same loopback-only rule
# as the pytest process (pyproject addopts), so a notebook that downloads
# anything fails its test.
NETWORK_GUARD = (
    "import pytest_socket\n"
    f"pytest_socket.socket_allow_hosts({LOOPBACK!r}, allow_unix_socket=True)\n"
)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def notebook_dir() -> Path:
    return NOTEBOOK_DIR
