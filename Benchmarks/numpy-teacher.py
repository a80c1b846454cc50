#!/usr/bin/env python3
"""A Fashion-MNIST teacher trained by another program than ec: NumPy, float32, Adam on the
cross-entropy, written with Python's `safetensors` in the layout `ec` reads (README, "File
formats"). Used by Benchmarks/mnist-acceptance.sh's `numpy` case.

    numpy-teacher.py DATA_DIR WIDTHS OUTPUT [--epochs N] [--seed S]

DATA_DIR holds the gzip IDX files; WIDTHS are the hidden widths, e.g. 16 or 24,24.
"""
import argparse, gzip, sys
import numpy as np
from safetensors.numpy import save_file


def idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def g(z):  # sigmoid(4z) + softplus(z), the method's activation, and its derivative
    return 0.5 * (1 + np.tanh(2 * z)) + np.logaddexp(0, z)


def g_prime(z):
    s4 = 0.5 * (1 + np.tanh(2 * z))
    return 4 * s4 * (1 - s4) + 0.5 * (1 + np.tanh(z / 2))


def forward(params, x):
    """Pre-activations of every hidden layer, their outputs (the input first) and the logits."""
    zs, hs = [], [x]
    for w, b in params[:-1]:
        zs.append(hs[-1] @ w.T + b)
        hs.append(g(zs[-1]))
    w, b = params[-1]
    return zs, hs, hs[-1] @ w.T + b


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data"), p.add_argument("widths"), p.add_argument("output")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    widths = [784] + [int(w) for w in a.widths.split(",")] + [10]
    # The pixels as ec reads IDX images: scaled to [0, 1], then mean 0.5 and std 0.5.
    images = lambda name: (idx(f"{a.data}/{name}-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255 - 0.5) / 0.5
    labels = lambda name: idx(f"{a.data}/{name}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    x, y, xt, yt = images("train"), labels("train"), images("t10k"), labels("t10k")
    rng = np.random.default_rng(a.seed)
    # nn.Linear's initialisation: uniform in ±1/√fan_in.
    params = [[rng.uniform(-1, 1, (o, i)).astype(np.float32) / np.sqrt(i), rng.uniform(-1, 1, o).astype(np.float32) / np.sqrt(i)]
              for i, o in zip(widths, widths[1:])]
    m = [[np.zeros_like(t) for t in layer] for layer in params]
    v = [[np.zeros_like(t) for t in layer] for layer in params]
    step = 0
    for epoch in range(a.epochs):
        for batch in np.array_split(rng.permutation(len(x)), len(x) // 128):
            zs, hs, logits = forward(params, x[batch])
            prob = np.exp(logits - logits.max(1, keepdims=True))
            prob /= prob.sum(1, keepdims=True)
            delta = prob
            delta[np.arange(len(batch)), y[batch]] -= 1
            delta /= len(batch)
            step += 1
            for l in range(len(params) - 1, -1, -1):
                grads = [delta.T @ hs[l], delta.sum(0)]
                if l > 0:
                    delta = (delta @ params[l][0]) * g_prime(zs[l - 1])
                for t in range(2):  # Adam, rate 1e-3
                    m[l][t] = 0.9 * m[l][t] + 0.1 * grads[t]
                    v[l][t] = 0.999 * v[l][t] + 0.001 * grads[t] ** 2
                    params[l][t] -= 1e-3 * (m[l][t] / (1 - 0.9 ** step)) / (np.sqrt(v[l][t] / (1 - 0.999 ** step)) + 1e-8)
        accuracy = (forward(params, xt)[2].argmax(1) == yt).mean()
        print(f"numpy-teacher: epoch {epoch + 1}/{a.epochs}: test accuracy {accuracy:.4f}", file=sys.stderr)
    tensors = {f"layers.{l}.{name}": np.ascontiguousarray(t) for l, layer in enumerate(params) for name, t in zip(("weight", "bias"), layer)}
    save_file(tensors, a.output, metadata={"activation": "g", "generator": "Benchmarks/numpy-teacher.py"})
    print(f"numpy-teacher: wrote {a.output}: {'-'.join(map(str, widths))} g teacher, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
