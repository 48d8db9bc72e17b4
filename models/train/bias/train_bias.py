"""Train the multi-label portrait CNN of the dataset-bias views (issue 7) on CPU, export it to ONNX and write
models/bias-attributes/{model.onnx,manifest.json}.

Data: the seeded portraits of src/core/bias/generator.ts, written by models/train/bias/generate.mjs as
<data>/<split>.bin (uint8 [n,64,64,3] RGB) + <data>/<split>.json (labels n x 6). The 'train' and 'test' splits
carry the designed bias (lipstick follows long hair with phi 0.8); 'unbiased' draws attributes independently.
Input: (pixels / 255 - 0.5) / 0.5, RGB, NCHW [batch,3,64,64]; output: logits [batch,6], one per attribute.

Usage:
  npx tsc -p tsconfig.json && node models/train/bias/generate.mjs --out /tmp/bias-data
  /usr/bin/python3 models/train/bias/train_bias.py --data /tmp/bias-data --out models/bias-attributes
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn


class AttributeCNN(nn.Module):
    """Conv(3->16)-ReLU-Pool, Conv(16->32)-ReLU-Pool, Conv(32->48)-ReLU, Conv(48->64)-ReLU, GAP, FC(64->6).
    Two pools only, so the last conv layer (the Grad-CAM layer) keeps a 16x16 grid."""

    def __init__(self, n_out=6):
        super().__init__()
        self.conv1, self.relu1, self.pool1 = nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        self.conv2, self.relu2, self.pool2 = nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        self.conv3, self.relu3 = nn.Conv2d(32, 48, 3, padding=1), nn.ReLU()
        self.conv4, self.relu4 = nn.Conv2d(48, 64, 3, padding=1), nn.ReLU()
        self.gap, self.flatten = nn.AdaptiveAvgPool2d(1), nn.Flatten()
        self.fc = nn.Linear(64, n_out)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu4(self.conv4(self.relu3(self.conv3(x))))
        return self.fc(self.flatten(self.gap(x)))


def load(data, split):
    with open(os.path.join(data, f"{split}.json")) as f:
        meta = json.load(f)
    n, size = len(meta["labels"]), meta["size"]
    x = np.fromfile(os.path.join(data, f"{split}.bin"), dtype=np.uint8).reshape(n, size, size, 3)
    return x, np.asarray(meta["labels"], dtype=np.float32), meta


def to_tensor(x_u8):
    return (torch.from_numpy(x_u8).permute(0, 3, 1, 2).float() / 255.0 - 0.5) / 0.5


@torch.no_grad()
def logits_of(model, x_u8, bs=500):
    model.eval()
    return torch.cat([model(to_tensor(x_u8[i:i + bs])) for i in range(0, len(x_u8), bs)]).numpy()


def per_attribute(logits, y, names):
    pred = (logits > 0).astype(np.float32)
    return {n: round(float((pred[:, k] == y[:, k]).mean()), 4) for k, n in enumerate(names)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/bias-data")
    ap.add_argument("--out", default="models/bias-attributes")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="smoke test: train on the first N images only")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(a.seed)

    xtr, ytr, mtr = load(a.data, "train")
    xte, yte, _ = load(a.data, "test")
    xub, yub, _ = load(a.data, "unbiased")
    names = mtr["attributes"]
    if a.limit:
        xtr, ytr = xtr[:a.limit], ytr[:a.limit]
    model = AttributeCNN(len(names))
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps = a.epochs * ((len(xtr) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.2)
    lossf = nn.BCEWithLogitsLoss()
    print(f"params={params} train={len(xtr)} epochs={a.epochs} seed={a.seed} torch={torch.__version__}", flush=True)

    t0 = time.time()
    for ep in range(a.epochs):
        model.train()
        order = rng.permutation(len(xtr))
        tot = 0.0
        for i in range(0, len(order), a.batch):
            idx = order[i:i + a.batch]
            loss = lossf(model(to_tensor(xtr[idx])), torch.from_numpy(ytr[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        te = per_attribute(logits_of(model, xte), yte, names)
        ub = per_attribute(logits_of(model, xub), yub, names)
        print(f"epoch {ep + 1}/{a.epochs} loss {tot / len(xtr):.4f} elapsed {time.time() - t0:.0f}s\n"
              f"  test     {te}\n  unbiased {ub}", flush=True)
    seconds = round(time.time() - t0)

    lte, lub = logits_of(model, xte), logits_of(model, xub)
    te, ub = per_attribute(lte, yte, names), per_attribute(lub, yub, names)
    # The symptom, isolated: lipstick accuracy on unbiased images where lipstick and long hair disagree.
    li, hi = names.index("lipstick"), names.index("long_hair")
    dis = yub[:, li] != yub[:, hi]
    disagree = float(((lub[dis, li] > 0) == (yub[dis, li] > 0.5)).mean())
    print(f"lipstick accuracy where lipstick != long_hair (unbiased): {disagree:.4f} on {int(dis.sum())} images")

    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "model.onnx")
    model.eval()
    torch.onnx.export(model, to_tensor(xte[:1]), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=False)
    # reference logits for models/train/bias/verify_onnx.mjs (first 64 test images)
    lte[:64].astype(np.float32).tofile(os.path.join(a.data, "torch_logits_test64.bin"))

    mid = os.path.basename(os.path.normpath(a.out))
    cmd = f"models/train/bias/train_bias.py --epochs {a.epochs} --seed {a.seed}" + (f" --limit {a.limit}" if a.limit else "")
    manifest = {
        "id": mid,
        "title": "Portrait attributes, multi-label CNN trained on a deliberately biased set (lipstick follows long hair)",
        "task": "multilabel",
        "input": {"name": "input", "shape": [-1, 3, 64, 64], "layout": "NCHW"},
        "output": {"name": "logits", "kind": "logits"},
        "preprocessing": {"size": [64, 64], "resize": "bilinear", "channels": "rgb", "scale": 1,
                          "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        "labels": names,
        "camLayer": "/relu4/Relu_output_0",
        "featureLayer": "/flatten/Flatten_output_0",
        "source": f"trained by {cmd} on node models/train/bias/generate.mjs --seed {mtr['seed']} "
                  f"(src/core/bias/generator.ts, default config)",
        "license": "MIT (weights and generated data)",
        "metrics": {
            "testAccuracy": round(float(np.mean(list(te.values()))), 4),
            "testSet": f"generated 'test' split, seed {mtr['seed']}, {len(xte)} images (biased like train); "
                       f"mean per-attribute accuracy",
            "perAttribute": {"test": te, "unbiased": ub},
            "unbiasedSet": f"generated 'unbiased' split, seed {mtr['seed']}, {len(xub)} images (independent attributes)",
            "lipstickWhereLongHairDisagrees": round(disagree, 4),
        },
        "training": {"epochs": a.epochs, "seed": a.seed, "trainImages": len(xtr),
                     "optimizer": f"Adam lr {a.lr} one-cycle, batch {a.batch}", "loss": "BCEWithLogits",
                     "augmentation": "none (the generator jitters position, scale and colours)",
                     "batchSize": a.batch, "torch": torch.__version__, "seconds": seconds, "params": params,
                     "cpuThreads": a.threads},
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"test {te}\nunbiased {ub}\nseconds {seconds} -> {onnx_path}", flush=True)


if __name__ == "__main__":
    main()
