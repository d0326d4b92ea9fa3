#!/usr/bin/python3
"""Exports tiny PyTorch models with dynamic axes for the shape-inference tests.

Run with Debian's interpreter (/usr/bin/python3, which has python3-torch):
    /usr/bin/python3 tests/data/make_dynamic_models.py
Writes tests/data/dynamic_block.onnx (a few KB): one attention-like block whose head
reshape goes through Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains.
"""
import os

import torch


class TinyBlock(torch.nn.Module):
    """Linear -> split into 4 heads of 8 -> scores -> softmax -> merge heads."""

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(32, 32)

    def forward(self, x):
        h = self.proj(x)
        h = h.view(x.size(0), x.size(1), 4, 8).transpose(1, 2)  # [b, 4, s, 8]
        scores = torch.matmul(h, h.transpose(-1, -2))  # [b, 4, s, s]
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, h).transpose(1, 2)  # [b, s, 4, 8]
        return ctx.reshape(x.size(0), x.size(1), 32)


def main():
    torch.manual_seed(0)
    out_dir = os.path.dirname(os.path.abspath(__file__))
    model = TinyBlock().eval()
    x = torch.randn(2, 5, 32)
    torch.onnx.export(
        model, (x,), os.path.join(out_dir, "dynamic_block.onnx"),
        opset_version=13, input_names=["x"], output_names=["y"],
        dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}})


if __name__ == "__main__":
    main()
