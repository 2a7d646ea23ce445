#!/usr/bin/env python3
"""Writes the state-dict names and shapes of torchvision's ResNet-18 and ResNet-50 (1 and 2 stacked input images),
so the Java encoders can be checked against torchvision's layout without storing any weights.
Run: /usr/bin/python3 torchvision_names.py (from this folder)."""
import json

import torch
import torchvision

out = {}
for name, factory in (("resnet18", torchvision.models.resnet18), ("resnet50", torchvision.models.resnet50)):
    for images in (1, 2):
        model = factory()
        if images > 1:
            model.conv1 = torch.nn.Conv2d(3 * images, 64, kernel_size=7, stride=2, padding=3, bias=False)
        entries = {}
        for key, tensor in model.state_dict().items():
            if key.startswith("fc.") or key.endswith("num_batches_tracked"):
                continue  # the encoder drops the classifier; batch counters carry no weights
            entries["encoder." + key] = list(tensor.shape)
        out[f"{name}_{images}"] = entries
with open("torchvision_names.json", "w") as f:
    json.dump(out, f, indent=0, sort_keys=False)
