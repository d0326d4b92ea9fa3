#!/usr/bin/python3
"""Trains the bundled example model: a small CNN on scikit-learn's handwritten digits.

The data is the UCI optical-recognition digits set that ships inside Debian's
python3-sklearn (1,797 8x8 grayscale images, 10 classes), so nothing is downloaded.
Outputs (committed to the repo so that no training happens at run time):
  configs/model_repository/digits/1/model.onnx   input "input" float32[batch,1,8,8] in [0,1],
                                                  outputs "logits" and "probabilities" [batch,10]
  tests/data/digits/images.npy                    16 held-out test images, float32[16,1,8,8]
  tests/data/digits/labels.npy                    their true labels, int64[16]
  tests/data/digits/logits.npy                    PyTorch's logits for them (the reference)
Run with Debian's interpreter: /usr/bin/python3 scripts/train_digits.py
"""
import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class DigitsNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),                                   # 16x4x4
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(),
        )
        self.classifier = torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Dropout(0.2), torch.nn.Linear(32 * 4 * 4, 64),
            torch.nn.ReLU(), torch.nn.Linear(64, 10))

    def forward(self, x):
        logits = self.classifier(self.features(x))
        return logits, torch.softmax(logits, dim=1)


def main():
    torch.manual_seed(0)
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, random_state=0, stratify=y)
    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(30):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            loss = torch.nn.functional.cross_entropy(model(xt[idx])[0], yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(x_test))
    acc = (logits.argmax(1).numpy() == y_test).mean()
    print(f"test accuracy: {acc:.4f} on {len(y_test)} held-out images")

    out_model = os.path.join(ROOT, "configs/model_repository/digits/1/model.onnx")
    torch.onnx.export(
        model, torch.zeros(1, 1, 8, 8), out_model, opset_version=13,
        input_names=["input"], output_names=["logits", "probabilities"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"},
                      "probabilities": {0: "batch"}})
    data_dir = os.path.join(ROOT, "tests/data/digits")
    os.makedirs(data_dir, exist_ok=True)
    images = np.ascontiguousarray(x_test[:16])
    with torch.no_grad():
        ref_logits, _ = model(torch.from_numpy(images))
    np.save(os.path.join(data_dir, "images.npy"), images)
    np.save(os.path.join(data_dir, "labels.npy"), y_test[:16])
    np.save(os.path.join(data_dir, "logits.npy"), ref_logits.numpy())
    np.save(os.path.join(data_dir, "image_0.npy"), np.ascontiguousarray(images[:1]))
    print("wrote", out_model, "and", data_dir)


if __name__ == "__main__":
    main()
