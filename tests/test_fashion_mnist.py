"""The loader: finds each source in order, verifies digests, fails clearly before any training."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from helpers import fashion_mnist as fm
from tests.conftest import link_files


@pytest.mark.parametrize("source", ["project", "debian", "keras"])
def test_finds_each_source(real_fmnist_dir, isolated_sources, source):
    link_files(real_fmnist_dir, isolated_sources[source])
    assert fm.locate(allow_download=False) == isolated_sources[source]


def test_explicit_path_and_env_var_win(real_fmnist_dir, isolated_sources, monkeypatch):
    link_files(real_fmnist_dir, isolated_sources["debian"])
    explicit = link_files(real_fmnist_dir, isolated_sources["explicit"])
    assert fm.locate(explicit, allow_download=False) == explicit
    monkeypatch.setenv(fm.ENV_VAR, str(explicit))
    assert fm.locate(allow_download=False) == explicit


def test_order_project_before_debian(real_fmnist_dir, isolated_sources):
    link_files(real_fmnist_dir, isolated_sources["project"])
    link_files(real_fmnist_dir, isolated_sources["debian"])
    assert fm.locate(allow_download=False) == isolated_sources["project"]


def test_loads_real_data_scaled_and_cached(real_fmnist_dir, isolated_sources):
    link_files(real_fmnist_dir, isolated_sources["debian"])
    data = fm.load_fashion_mnist(allow_download=False)
    assert data.x_train.shape == (60000, 28, 28) and data.x_test.shape == (10000, 28, 28)
    assert data.x_train.dtype == np.float32 and 0.0 == data.x_train.min() and data.x_train.max() == 1.0
    assert set(np.unique(data.y_test)) == set(range(10))
    flat_train, flat_test = data.flat()
    assert flat_train.shape == (60000, 784) and flat_test.shape == (10000, 784)
    assert fm.CACHE_FILE.is_file()
    again = fm.load_fashion_mnist(allow_download=False)
    np.testing.assert_array_equal(again.x_test, data.x_test)


def test_missing_data_lists_places_and_remedies(isolated_sources):
    with pytest.raises(fm.DataError) as err:
        fm.load_fashion_mnist(allow_download=False)
    text = str(err.value)
    for folder in ("project", "debian", "keras"):
        assert str(isolated_sources[folder]) in text
    assert "apt-get install dataset-fashion-mnist" in text and "download" in text


def test_truncated_file_is_named(real_fmnist_dir, isolated_sources):
    folder = link_files(real_fmnist_dir, isolated_sources["explicit"])
    bad = folder / "train-images-idx3-ubyte.gz"
    payload = bad.read_bytes()
    bad.unlink()
    bad.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(fm.DataError) as err:
        fm.load_fashion_mnist(folder, allow_download=False)
    assert str(bad) in str(err.value) and "corrupt or truncated" in str(err.value)
    assert not fm.CACHE_FILE.exists()


def test_explicit_folder_missing_a_file(real_fmnist_dir, isolated_sources):
    folder = link_files(real_fmnist_dir, isolated_sources["explicit"])
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(fm.DataError, match="t10k-labels-idx1-ubyte.gz"):
        fm.locate(folder, allow_download=False)


def test_read_idx_rejects_a_short_payload(tmp_path):
    path = tmp_path / "x.gz"
    with gzip.open(path, "wb") as handle:  # header says 2x2 but only 3 bytes follow
        handle.write(bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3]))
    with pytest.raises(fm.DataError, match="truncated"):
        fm.read_idx(path)


def test_digests_are_the_published_four():
    digests = fm.expected_digests()
    assert set(digests) == set(fm.FILES.values())
    assert all(len(d) == 64 for d in digests.values())
