"""Fashion-MNIST, found offline, verified, decoded with numpy and cached.

Sources are tried in this order (the first folder holding the four files wins):

1. an explicit ``path`` argument, or the ``FASHION_MNIST_DIR`` environment variable;
2. ``data/fashion-mnist/`` in this project;
3. Debian's package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist/``);
4. the Keras cache (``~/.keras/datasets/fashion-mnist/``);
5. only then, a download into ``data/fashion-mnist/``.

Every ``.gz`` file is checked against the SHA-256 digests in ``fashion-mnist.sha256``
(copied from the dataset's publishers) before it is decoded.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers.paths import DATA_DIR, atomic_write_bytes

ENV_VAR = "FASHION_MNIST_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_CACHE_DIR = Path.home() / ".keras" / "datasets" / "fashion-mnist"
PROJECT_DIR = DATA_DIR / "fashion-mnist"
DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_DIGEST_FILE = Path(__file__).with_name("fashion-mnist.sha256")
_HOW_TO_GET = (
    "Get it one of two ways:\n"
    "  * offline, from Debian: sudo apt-get install dataset-fashion-mnist\n"
    "  * online: call load_fashion_mnist(allow_download=True) with network access, or put the\n"
    f"    four files from {DOWNLOAD_URL} into {PROJECT_DIR}/"
)


class DataError(RuntimeError):
    """A data file is missing, corrupt or of the wrong shape; the message says how to fix it."""


def expected_digests() -> dict[str, str]:
    """File name -> SHA-256 hex digest, as published for Fashion-MNIST."""
    digests = {}
    for line in _DIGEST_FILE.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            digests[name] = digest
    return digests


@dataclass
class FashionMNIST:
    """The real data set: pixels scaled to [0, 1] as float32, integer labels kept for plots."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: Path
    class_names: tuple[str, ...] = field(default=CLASS_NAMES)

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Train and test images flattened to (N, 784), for the dense models."""
        return self.x_train.reshape(-1, 784), self.x_test.reshape(-1, 784)

    def images(self) -> tuple[np.ndarray, np.ndarray]:
        """Train and test images as (N, 28, 28, 1), for the convolutional models."""
        return self.x_train[..., None], self.x_test[..., None]


def candidate_dirs(path: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """The folders searched, in order, each with a label for messages."""
    found = []
    if path is not None:
        found.append(("explicit path", Path(path)))
    elif os.environ.get(ENV_VAR):
        found.append((f"${ENV_VAR}", Path(os.environ[ENV_VAR])))
    found += [
        ("project data folder", PROJECT_DIR),
        ("Debian package dataset-fashion-mnist", DEBIAN_DIR),
        ("Keras cache", KERAS_CACHE_DIR),
    ]
    return found


def _has_all_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES.values())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: Path) -> None:
    """Raise DataError naming ``path`` unless its SHA-256 matches the published digest."""
    want = expected_digests()[path.name]
    got = sha256_of(path)
    if got != want:
        raise DataError(
            f"Fashion-MNIST file {path} is corrupt or truncated: its SHA-256 is {got[:16]}..., "
            f"expected {want[:16]}... ({path.stat().st_size:,} bytes on disk). Delete it and fetch "
            f"it again, or point {ENV_VAR} at a good copy.\n{_HOW_TO_GET}"
        )


def read_idx(path: Path) -> np.ndarray:
    """Decode one gzipped IDX file (the MNIST format) into a uint8 array."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as err:
        raise DataError(f"Fashion-MNIST file {path} cannot be decompressed ({err}).\n{_HOW_TO_GET}") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"Fashion-MNIST file {path} is not an unsigned-byte IDX file.")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != header + int(np.prod(shape)):
        raise DataError(f"Fashion-MNIST file {path} is truncated: header says {shape}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _download(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES.values():
        with urllib.request.urlopen(DOWNLOAD_URL + name, timeout=60) as response:
            atomic_write_bytes(folder / name, response.read())


CACHE_FILE = PROJECT_DIR / "fashion-mnist-uint8.npz"


def _load_cache(digests: dict[str, str]) -> dict[str, np.ndarray] | None:
    cache = CACHE_FILE
    if not cache.is_file():
        return None
    try:
        with np.load(cache) as saved:
            if str(saved["digests"]) != "|".join(sorted(digests.values())):
                return None
            return {key: saved[key] for key in FILES}
    except (OSError, KeyError, ValueError):
        return None


def _save_cache(arrays: dict[str, np.ndarray], digests: dict[str, str]) -> None:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, digests="|".join(sorted(digests.values())), **arrays)
    try:
        atomic_write_bytes(CACHE_FILE, buffer.getvalue())
    except OSError:
        pass  # a read-only checkout just goes without the cache


def locate(path: str | os.PathLike | None = None, allow_download: bool = False) -> Path:
    """Return the first folder that holds the four files, downloading only as the last resort."""
    searched = candidate_dirs(path)
    for label, folder in searched:
        if _has_all_files(folder):
            return folder
        if label in ("explicit path", f"${ENV_VAR}"):
            missing = [n for n in FILES.values() if not (folder / n).is_file()]
            raise DataError(
                f"The {label} {folder} lacks Fashion-MNIST files: {', '.join(missing)}.\n{_HOW_TO_GET}"
            )
    looked = "\n".join(f"  * {label}: {folder}" for label, folder in searched)
    if allow_download:
        try:
            _download(PROJECT_DIR)
            return PROJECT_DIR
        except OSError as err:
            looked += f"\n  * download from {DOWNLOAD_URL}: failed ({err})"
    raise DataError(f"Fashion-MNIST was not found. Looked in:\n{looked}\n{_HOW_TO_GET}")


def load_fashion_mnist(path: str | os.PathLike | None = None, allow_download: bool = True) -> FashionMNIST:
    """Load the real Fashion-MNIST as float32 in [0, 1], images shaped (N, 28, 28).

    Raises :class:`DataError`, before any training, when the files are missing or corrupt.
    """
    folder = locate(path, allow_download=allow_download)
    digests = expected_digests()
    for name in FILES.values():
        verify_file(folder / name)
    arrays = _load_cache(digests)
    if arrays is None:
        arrays = {key: read_idx(folder / name) for key, name in FILES.items()}
        for key, array in arrays.items():
            if array.shape != EXPECTED_SHAPES[key]:
                raise DataError(
                    f"{folder / FILES[key]} holds shape {array.shape}, expected {EXPECTED_SHAPES[key]}."
                )
        _save_cache(arrays, digests)
    scale = np.float32(1 / 255)
    return FashionMNIST(
        x_train=arrays["x_train"].astype(np.float32) * scale,
        y_train=arrays["y_train"].astype(np.int64),
        x_test=arrays["x_test"].astype(np.float32) * scale,
        y_test=arrays["y_test"].astype(np.int64),
        source=folder,
    )
