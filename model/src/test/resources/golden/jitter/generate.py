#!/usr/bin/env python3
"""Colour-jitter golden outputs from torchvision's tensor functions (brightness, contrast, saturation, hue applied
in a given order, as torchvision's ColorJitter does). Run: /usr/bin/python3 generate.py (from this folder)."""
import json

import numpy as np
import torch
import torchvision.transforms.functional as F

torch.manual_seed(3)
image = torch.rand(3, 6, 8)
cases = [
    {"brightness": 1.15, "contrast": 0.85, "saturation": 1.1, "hue": 0.07, "order": [0, 1, 2, 3]},
    {"brightness": 0.82, "contrast": 1.19, "saturation": 0.9, "hue": -0.09, "order": [3, 2, 1, 0]},
    {"brightness": 1.0, "contrast": 1.0, "saturation": 1.0, "hue": 0.0, "order": [2, 0, 3, 1]},
]
functions = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
names = ["brightness", "contrast", "saturation", "hue"]
np.save("input.npy", image.numpy())
for n, case in enumerate(cases):
    out = image.clone()
    for step in case["order"]:
        out = functions[step](out, case[names[step]])
    np.save(f"output_{n}.npy", out.numpy())
with open("cases.json", "w") as f:
    json.dump(cases, f, indent=1)
