"""The suite runs offline: a download attempt fails, in the tests and in notebook kernels."""

from __future__ import annotations

import socket
import urllib.request

import nbformat
import pytest
from conftest import NETWORK_GUARD
from pytest_socket import SocketConnectBlockedError

from drugml.report.gallery import NotebookExecutionError, execute_notebook

# TEST-NET-3 (RFC 5737): an address no real host has; no DNS lookup is needed.
OUTSIDE = "203.0.113.7"


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_outside_connection_is_blocked_in_tests():
    with pytest.raises(SocketConnectBlockedError):
        urllib.request.urlopen(f"http://{OUTSIDE}/data.csv", timeout=2)


def test_loopback_stays_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


@pytest.mark.slow
def test_outside_connection_is_blocked_in_notebook_kernels(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"import urllib.request\nurllib.request.urlopen('http://{OUTSIDE}/x', timeout=2)"
        )
    ]
    path = tmp_path / "download.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(NotebookExecutionError, match="SocketConnectBlockedError"):
        execute_notebook(path, preamble=NETWORK_GUARD)
