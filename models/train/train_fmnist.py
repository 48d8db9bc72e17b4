"""Train a small Fashion-MNIST classifier (plain CNN or small ResNet) on CPU, export it to ONNX and write
models/<id>/manifest.json. Input: pixels / 255 (no mean/std), gray, NCHW [batch,1,28,28]; output: logits [batch,10].
Usage: /usr/bin/python3 models/train/train_fmnist.py --arch cnn|resnet --epochs N --seed S --out models/<id>
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402


class CNN(nn.Module):
    """Conv(1->32)-ReLU-Pool - Conv(32->64)-ReLU-Pool - Flatten - FC(3136->64)-ReLU - FC(64->10)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.relu1, self.pool1 = nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        self.conv2, self.relu2, self.pool2 = nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1, self.relu3 = nn.Linear(64 * 7 * 7, 64), nn.ReLU()
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        return self.fc2(self.relu3(self.fc1(self.flatten(x))))


class BasicBlock(nn.Module):
    """Conv-BN-ReLU-Conv-BN + shortcut (1x1 conv + BN when the shape changes), then ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1, self.relu1 = nn.BatchNorm2d(cout), nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2, self.relu2 = nn.BatchNorm2d(cout), nn.ReLU()
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(y + self.shortcut(x))


class ResNet(nn.Module):
    """Stem Conv-BN-ReLU, 3 stages of BasicBlocks (widths 16/32/64, strides 1/2/2), GAP, Flatten, FC(64->10)."""

    def __init__(self, blocks=2, widths=(16, 32, 64)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        cin, stages = widths[0], []
        for i, (w, s) in enumerate(zip(widths, (1, 2, 2))):
            layers = [BasicBlock(cin if j == 0 else w, w, s if j == 0 else 1) for j in range(blocks)]
            stages.append(nn.Sequential(*layers))
            cin = w
        self.layer1, self.layer2, self.layer3 = stages
        self.pool, self.flatten = nn.AdaptiveAvgPool2d(1), nn.Flatten()
        self.fc = nn.Linear(widths[-1], 10)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(self.flatten(self.pool(x)))


def augment(x_u8, rng, shift, flip):
    """Random shift by up to `shift` pixels (zero padding) and optional horizontal flip; uint8 [B,28,28]."""
    if shift:
        n = len(x_u8)
        p = np.pad(x_u8, ((0, 0), (shift, shift), (shift, shift)))
        dy, dx = rng.integers(0, 2 * shift + 1, n), rng.integers(0, 2 * shift + 1, n)
        x_u8 = np.stack([p[i, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28] for i in range(n)])
    if flip:
        f = rng.random(len(x_u8)) < 0.5
        x_u8 = x_u8.copy()
        x_u8[f] = x_u8[f, :, ::-1]
    return x_u8


def to_tensor(x_u8):
    return torch.from_numpy(x_u8.astype(np.float32) / 255.0).unsqueeze(1)


@torch.no_grad()
def predict(model, x_u8, bs=1000):
    model.eval()
    return torch.cat([model(to_tensor(x_u8[i:i + bs])) for i in range(0, len(x_u8), bs)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["cnn", "resnet"], required=True)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="models/<id>")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--shift", type=int, default=0, help="random-shift augmentation in pixels (0 = off)")
    ap.add_argument("--flip", type=int, default=0, help="1 = random horizontal flips")
    ap.add_argument("--blocks", type=int, default=1, help="resnet: BasicBlocks per stage")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="smoke test: train on the first N images only")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(a.seed)  # data order + augmentation

    xtr, ytr = fmnist_data.load("train")
    xte, yte = fmnist_data.load("test")
    if a.limit:
        xtr, ytr = xtr[:a.limit], ytr[:a.limit]
    model = CNN() if a.arch == "cnn" else ResNet(blocks=a.blocks)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps = a.epochs * ((len(xtr) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.15)
    lossf = nn.CrossEntropyLoss()
    print(f"arch={a.arch} params={params} epochs={a.epochs} seed={a.seed} torch={torch.__version__}", flush=True)

    t0 = time.time()
    for ep in range(a.epochs):
        model.train()
        order = rng.permutation(len(xtr))
        tot = 0.0
        for i in range(0, len(order), a.batch):
            idx = order[i:i + a.batch]
            xb = to_tensor(augment(xtr[idx], rng, a.shift, a.flip))
            loss = lossf(model(xb), torch.from_numpy(ytr[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
            if (i // a.batch + 1) % 100 == 0:
                print(f"  step {i // a.batch + 1} loss {loss.item():.4f} elapsed {time.time() - t0:.0f}s", flush=True)
        acc = (predict(model, xte).argmax(1).numpy() == yte).mean()
        print(f"epoch {ep + 1}/{a.epochs} loss {tot / len(xtr):.4f} test_acc {acc:.4f} "
              f"elapsed {time.time() - t0:.0f}s", flush=True)
    seconds = round(time.time() - t0)

    model.eval()
    logits = predict(model, xte)
    acc = float((logits.argmax(1).numpy() == yte).mean())
    # the sample set of export_samples.py: first 10 test images of each class
    samples = np.concatenate([np.flatnonzero(yte == c)[:10] for c in range(10)])
    sample_acc = float((logits[samples].argmax(1).numpy() == yte[samples]).mean())
    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "model.onnx")
    # PRESERVE + eval(): keeps BatchNormalization nodes (EVAL mode would fuse them into the convs).
    torch.onnx.export(model, to_tensor(xte[:1]), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)

    mid = os.path.basename(os.path.normpath(a.out))
    if a.arch == "cnn":
        title = "Fashion-MNIST plain CNN (2 conv + 2 FC)"
        cam, feat = "/conv2/Conv_output_0", "/relu3/Relu_output_0"
    else:
        title = f"Fashion-MNIST small ResNet ({3 * a.blocks} BasicBlocks, widths 16/32/64)"
        cam, feat = f"/layer3/layer3.{a.blocks - 1}/relu2/Relu_output_0", "/flatten/Flatten_output_0"
    cmd = f"models/train/train_fmnist.py --arch {a.arch} --epochs {a.epochs} --seed {a.seed}"
    for k in ("blocks", "lr", "batch", "shift", "flip", "threads", "limit"):  # every non-default option
        if getattr(a, k) != ap.get_default(k) and (k != "blocks" or a.arch == "resnet"):
            cmd += f" --{k} {getattr(a, k)}"
    manifest = {
        "id": mid, "title": title, "task": "classification",
        "input": {"name": "input", "shape": [-1, 1, 28, 28], "layout": "NCHW"},
        "output": {"name": "logits", "kind": "logits"},
        "preprocessing": {"size": [28, 28], "resize": "area", "channels": "gray", "scale": 1, "mean": [0], "std": [1]},
        "labels": fmnist_data.LABELS,
        "camLayer": cam, "featureLayer": feat,
        "source": f"trained by {cmd}",
        "license": "MIT (weights); Fashion-MNIST data MIT, Zalando Research",
        "metrics": {"testAccuracy": round(acc, 4), "testSet": "fashion-mnist t10k (10000 images)",
                    "samplesAccuracy": sample_acc, "samplesSet": "models/samples/fmnist (100 test images)"},
        "training": {"epochs": a.epochs, "seed": a.seed,
                     "optimizer": f"Adam lr {a.lr} one-cycle, batch {a.batch}",
                     "augmentation": ", ".join([f"random shift +-{a.shift}px"] * bool(a.shift) + ["horizontal flip"] * a.flip) or "none",
                     "batchSize": a.batch, "torch": torch.__version__, "seconds": seconds, "params": params,
                     "cpuThreads": a.threads},
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"final test_acc {acc:.4f} seconds {seconds} -> {onnx_path}", flush=True)


if __name__ == "__main__":
    main()
