"""Exports tests/data/fusion_patterns/model.onnx: a tiny BERT-style block whose LayerNorm and
GELU are written out by hand (as HF BERT's older code did), so the ONNX graph holds the
decomposed ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add layer norm and x * 0.5 * (1 + erf(x/sqrt(2))).
Also writes input.npy and the torch output output.npy for the fusion test.

Run with Debian's torch: /usr/bin/python3 tests/data/make_fusion_patterns.py
"""
import math
import os

import numpy as np
import torch

HIDDEN = 16


class ManualLayerNorm(torch.nn.Module):
    def __init__(self, hidden, eps=1e-12):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(hidden) * 0.5 + 1.0)
        self.bias = torch.nn.Parameter(torch.randn(hidden) * 0.1)
        self.eps = eps

    def forward(self, x):
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight * x + self.bias


def gelu(x):
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.dense_in = torch.nn.Linear(HIDDEN, 4 * HIDDEN)
        self.dense_out = torch.nn.Linear(4 * HIDDEN, HIDDEN)
        self.ln1 = ManualLayerNorm(HIDDEN)
        self.ln2 = ManualLayerNorm(HIDDEN)

    def forward(self, x):
        h = self.ln1(x)
        h = self.dense_out(gelu(self.dense_in(h)))
        return self.ln2(x + h)


def main():
    torch.manual_seed(0)
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fusion_patterns")
    os.makedirs(out_dir, exist_ok=True)
    model = Block().eval()
    x = torch.randn(2, 5, HIDDEN)
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(
        model, (x,), os.path.join(out_dir, "model.onnx"), opset_version=13,
        input_names=["x"], output_names=["y"],
        dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}})
    np.save(os.path.join(out_dir, "input.npy"), x.numpy())
    np.save(os.path.join(out_dir, "output.npy"), y.numpy())


if __name__ == "__main__":
    main()
