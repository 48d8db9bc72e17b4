"""Write the Fashion-MNIST sample set: the first 10 TEST images of each class (100 in all) as 8-bit grayscale PNGs
plus index.json ordered by test index. Usage: /usr/bin/python3 models/train/export_samples.py [--out models/samples/fmnist]
"""
import argparse
import json
import os
import re
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="models/samples/fmnist")
    ap.add_argument("--per-class", type=int, default=10)
    a = ap.parse_args()
    x, y = fmnist_data.load("test")
    picked = sorted(i for c in range(10) for i in np.flatnonzero(y == c)[:a.per_class])
    os.makedirs(a.out, exist_ok=True)
    index = []
    for i in picked:
        name = fmnist_data.LABELS[y[i]]
        file = f"fmnist_test_{i:05d}_{re.sub('[^a-z0-9]+', '-', name.lower())}.png"
        Image.fromarray(x[i], mode="L").save(os.path.join(a.out, file))
        index.append({"file": file, "label": int(y[i]), "labelName": name, "testIndex": int(i)})
    with open(os.path.join(a.out, "index.json"), "w") as f:
        f.write("[\n" + ",\n".join("  " + json.dumps(e) for e in index) + "\n]\n")  # one entry per line
    print(f"wrote {len(index)} PNGs + index.json to {a.out}")


if __name__ == "__main__":
    main()
