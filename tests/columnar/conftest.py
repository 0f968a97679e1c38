"""The columnar tests' own marker: ``dask`` marks the tests that start a local Dask cluster."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``dask`` marker (the suite runs with --strict-markers)."""
    config.addinivalue_line("markers", "dask: starts a local Dask cluster with worker processes (needs fenxiao[dask])")
