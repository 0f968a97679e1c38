"""Packaging: the license file matches the metadata, the version comes from one place, the project has URLs."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import fenxiao

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_license_file_is_the_license_the_metadata_names() -> None:
    """``license = "MIT"`` and a LICENSE file with the MIT text, shipped in the distribution."""
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_the_version_comes_from_one_place() -> None:
    """The installed metadata, ``fenxiao.__version__`` and ``--version`` all read ``fenxiao/_version.py``."""
    assert PROJECT["dynamic"] == ["version"]
    assert "version" not in PROJECT
    assert metadata.version("fenxiao") == fenxiao.__version__


def test_the_project_names_where_it_lives() -> None:
    """Home page, documentation, repository, issue tracker and changelog are in the metadata."""
    assert set(PROJECT["urls"]) >= {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
