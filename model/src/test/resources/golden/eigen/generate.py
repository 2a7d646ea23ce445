#!/usr/bin/env python3
"""Independent NumPy/PyTorch Eigen evaluation of a synthetic disparity against real fixture ground truth, written
from shared/reference/engineering-notes.md (Eigen evaluation conventions), to check EigenEvaluator.java end to end.
The ground truth comes from ../velodyne/generate.py. Stores only the resulting numbers.
Run: /usr/bin/python3 generate.py [FIXTURES]"""
import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("velodyne", os.path.join(HERE, "..", "velodyne", "generate.py"))
velodyne = importlib.util.module_from_spec(spec)
spec.loader.exec_module(velodyne)

NET_H, NET_W = 192, 640


def synthetic_disparity(phase):
    """A smooth scaled disparity at network size (also written by the Java test from the same formula)."""
    y, x = np.mgrid[0:NET_H, 0:NET_W].astype(np.float64)
    return (0.02 + 0.3 * (y / (NET_H - 1)) ** 2 + 0.01 * np.sin(x / 37.0 + phase)).astype(np.float32)


def metrics(gt, pred):
    ratio = np.maximum(gt / pred, pred / gt)
    return [float(np.mean(np.abs(gt - pred) / gt)), float(np.mean((gt - pred) ** 2 / gt)),
            float(np.sqrt(np.mean((gt - pred) ** 2))), float(np.sqrt(np.mean((np.log(gt) - np.log(pred)) ** 2))),
            float(np.mean(ratio < 1.25)), float(np.mean(ratio < 1.25 ** 2)), float(np.mean(ratio < 1.25 ** 3))]


def evaluate(disp, gt, median_scaling, factor):
    h, w = gt.shape
    resized = F.interpolate(torch.from_numpy(disp)[None, None], size=(h, w), mode="bilinear",
                            align_corners=False)[0, 0].numpy().astype(np.float64)
    depth = 1.0 / resized
    top, bottom = int(0.40810811 * h), int(0.99189189 * h)
    left, right = int(0.03594771 * w), int(0.96405229 * w)
    inside = np.zeros_like(gt, dtype=bool)
    inside[top:bottom, left:right] = True
    mask = inside & (gt > 1e-3) & (gt < 80)
    g, p = gt[mask], depth[mask] * factor
    ratio = factor
    if median_scaling:
        r = np.median(g) / np.median(p)
        p = p * r
        ratio *= r
    p = np.clip(p, 1e-3, 80)
    return metrics(g, p), float(ratio), int(mask.sum())


def main():
    cases = []
    for median_scaling, factor in [(True, 1.0), (False, 5.4)]:
        per_image, ratios, counts = [], [], []
        for phase, frame in [(0.0, 0), (1.3, 7)]:
            gt, _, _ = velodyne.ground_truth(2, frame)
            m, r, n = evaluate(synthetic_disparity(phase), gt, median_scaling, factor)
            per_image.append(m)
            ratios.append(r)
            counts.append(n)
        ratios = np.array(ratios)
        med = float(np.median(ratios))
        cases.append({"median_scaling": median_scaling, "factor": factor, "frames": [0, 7], "phases": [0.0, 1.3],
                      "valid_pixels": counts, "per_image": per_image,
                      "mean": np.mean(np.array(per_image), axis=0).tolist(),
                      "ratio_median": med, "ratio_std": float(np.std(ratios / med))})
    with open(os.path.join(HERE, "evaluation.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
