"""Shared fixtures: the real Fashion-MNIST files, wherever this machine keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import fashion_mnist as fm


@pytest.fixture(scope="session", autouse=True)
def own_weight_store(tmp_path_factory):
    """Notebooks run by the tests (papermill, nbval) store weights in a folder of their own, empty at the
    start: the tests train, and never load a developer's stored weights."""
    import os

    os.environ["WORKBOOK_WEIGHTS_DIR"] = str(tmp_path_factory.mktemp("weights"))


SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@pytest.fixture(scope="session")
def real_fmnist_dir() -> Path:
    """A folder with the four genuine .gz files (Debian's package in CI)."""
    for _, folder in fm.candidate_dirs():
        if all((folder / n).is_file() for n in fm.FILES.values()):
            return folder
    pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


@pytest.fixture
def isolated_sources(tmp_path, monkeypatch):
    """Point every search location at empty temporary folders and return them by name."""
    dirs = {name: tmp_path / name for name in ("explicit", "project", "debian", "keras")}
    monkeypatch.delenv(fm.ENV_VAR, raising=False)
    monkeypatch.setattr(fm, "PROJECT_DIR", dirs["project"])
    monkeypatch.setattr(fm, "CACHE_FILE", dirs["project"] / "cache.npz")
    monkeypatch.setattr(fm, "DEBIAN_DIR", dirs["debian"])
    monkeypatch.setattr(fm, "KERAS_CACHE_DIR", dirs["keras"])
    return dirs


def link_files(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in fm.FILES.values():
        (target / name).symlink_to(source / name)
    return target


@pytest.fixture(scope="session")
def real_walk_dir() -> Path:
    """gaitmap's real walk with motion capture: fetched by setup from the package registry (SHA-256 checked)."""
    from helpers.lab import gait_reference

    found = gait_reference.find_reference(need_mocap=True)
    if found is None:
        try:
            found = gait_reference.fetch()
        except gait_reference.ReferenceUnavailable as err:
            pytest.skip(f"no package registry here: {err}")
    return found
