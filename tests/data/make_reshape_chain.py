#!/usr/bin/python3
"""Exports a tiny attention block whose reshapes are computed from the input shape.

PyTorch exports `x.view(x.size(0), x.size(1), heads, head_dim)` as the chain
Shape -> Gather -> Unsqueeze -> Concat -> Reshape, with dynamic axes batch and seq. The test
(tests/e2e/cli_test.cc) runs the model at two input sizes without rebuilding and compares
with PyTorch's outputs saved here. Run with Debian's interpreter:
  /usr/bin/python3 tests/data/make_reshape_chain.py
"""
import os

import numpy as np
import torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reshape_chain")


class Block(torch.nn.Module):
    def __init__(self, hidden=16, heads=4):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.qkv = torch.nn.Linear(hidden, 3 * hidden)
        self.out = torch.nn.Linear(hidden, hidden)

    def forward(self, x):
        b, s = x.size(0), x.size(1)
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        split = lambda t: t.view(b, s, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        att = torch.softmax(q @ k.transpose(-1, -2) / self.head_dim ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, -1)
        return self.out(y)


def main():
    torch.manual_seed(0)
    os.makedirs(HERE, exist_ok=True)
    model = Block().eval()
    torch.onnx.export(model, torch.randn(2, 5, 16), os.path.join(HERE, "model.onnx"),
                      opset_version=13, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}})
    for name, shape in (("small", (1, 3, 16)), ("large", (4, 11, 16))):
        x = torch.randn(*shape)
        with torch.no_grad():
            y = model(x)
        np.save(os.path.join(HERE, f"x_{name}.npy"), x.numpy())
        np.save(os.path.join(HERE, f"y_{name}.npy"), y.numpy())
    print("wrote", HERE)


if __name__ == "__main__":
    main()
