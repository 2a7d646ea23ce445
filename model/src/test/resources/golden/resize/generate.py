#!/usr/bin/env python3
"""Bilinear resizing with half-pixel centres by PyTorch (F.interpolate, align_corners=False: the same sampling as
OpenCV's INTER_LINEAR away from OpenCV's exact-2x-shrink special case), to check BilinearResizer.java.
Run: /usr/bin/python3 generate.py (from this folder)."""
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(7)
for name, (h, w), (th, tw) in [("up", (4, 6), (7, 13)), ("down", (9, 11), (4, 5)), ("mixed", (5, 8), (11, 3))]:
    plane = rng.uniform(0.01, 1.0, size=(h, w)).astype(np.float32)
    out = F.interpolate(torch.from_numpy(plane)[None, None], size=(th, tw), mode="bilinear", align_corners=False)
    np.save(name + "_in.npy", plane)
    np.save(name + "_out.npy", out[0, 0].numpy())
