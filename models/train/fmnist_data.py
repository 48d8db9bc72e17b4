"""Fashion-MNIST reader: gzipped IDX files (Debian package dataset-fashion-mnist) -> numpy uint8 arrays."""
import gzip
import os
import struct

import numpy as np

DATA_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """Read one gzipped IDX file into a numpy array of its stated shape (unsigned-byte data only)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(shape)


def load(split):
    """split 'train' (60000) or 'test' (10000): returns (images uint8 [N,28,28], labels int64 [N])."""
    prefix = {"train": "train", "test": "t10k"}[split]
    x = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    assert len(x) == len(y)
    return x, y
