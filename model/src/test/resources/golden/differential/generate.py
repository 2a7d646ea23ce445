#!/usr/bin/env python3
"""Golden fixtures for the depth-differential triplet loss (MetricDepth Eqs. 1-13, seed 003): seeded decoder-like
features at scales 3, 2, 1, a reference depth with missing (zero) pixels, explicit roll offsets, and the loss computed
by a direct PyTorch implementation of the formulas (torch.roll on the features, torch.linalg.norm distances,
avg_pool2d for the valid-depth block averages, torch.median for the per-image median; float64 throughout on the
float32-rounded inputs).

Run: /usr/bin/python3 generate.py (from this folder; needs Debian's python3-torch, 1.13).

Outputs:
  feature_s{1,2,3}.npy  (B, C_s, H/2^s, W/2^s) float32
  reference.npy         (B, 1, H, W) float32 depth, 0 where missing
  predicted.npy         (B, 1, H, W) float32 dense positive depth (for the median-normalised mode)
  rolls_s{1,2,3}.npy    (N, 3) float64 rows (batch, rows, columns) shifts for torch.roll over dims (0, 2, 3)
  result_<case>.npy     [total, L_re(s) per scale in order 3,2,1, positives per scale, negatives per scale and range]
"""
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(303)
B, H, W = 3, 32, 48
SCALES = [3, 2, 1]
CHANNELS = {1: 8, 2: 12, 3: 16}
FLOOR = 1e-12


def f32(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


def save(name, array, dtype=np.float32):
    np.save(name, np.ascontiguousarray(np.asarray(array, dtype=dtype)))


# a scene-like depth: a slanted ground plane with a few boxes in front; features that partly follow it
yy, xx = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
depth = np.empty((B, 1, H, W))
for b in range(B):
    d = 2.0 + 0.15 * (H - yy) + 0.02 * b * xx
    for _ in range(3):
        y0, x0 = rng.integers(0, H - 8), rng.integers(0, W - 10)
        d[y0:y0 + rng.integers(4, 12), x0:x0 + rng.integers(5, 14)] = rng.uniform(1.0, 4.0)
    depth[b, 0] = d + rng.normal(0, 0.05, size=d.shape)
predicted = depth.copy()
reference = depth.copy()
reference[rng.random(reference.shape) < 0.35] = 0.0  # sparse ground truth: missing pixels are 0
reference[1, 0, :4, :8] = -1.0                         # negative values are invalid too
save("reference.npy", reference)
save("predicted.npy", predicted)

features, rolls = {}, {}
for s in SCALES:
    h, w, c = H >> s, W >> s, CHANNELS[s]
    coarse = torch.from_numpy(depth).mean(1, keepdim=True)
    coarse = F.avg_pool2d(coarse, 2 ** s).numpy()
    basis = rng.normal(0, 1, size=(1, c, 1, 1))
    feat = 0.6 * np.log(coarse) * basis + 0.8 * rng.normal(0, 1, size=(B, c, h, w))
    save("feature_s%d.npy" % s, feat)
    features[s] = f32(feat)
    within = [(0, rng.integers(1, h), rng.integers(1, w)) for _ in range(10)]
    across = [(rng.integers(1, B), rng.integers(0, h), rng.integers(0, w)) for _ in range(4)]
    rolls[s] = np.array(within + across, dtype=np.float64)
    save("rolls_s%d.npy" % s, rolls[s], np.float64)


def clean(ref, predicted_mode):
    valid = (ref > 0) & torch.isfinite(ref)
    out = torch.where(valid, ref, torch.zeros_like(ref))
    if predicted_mode:
        for b in range(ref.shape[0]):
            out[b] = out[b] / torch.median(ref[b][valid[b]])
    return out


def at_scale(ref, s):
    k = 2 ** s
    valid = (ref > 0).double()
    total = F.avg_pool2d(ref * valid, k) * k * k
    count = F.avg_pool2d(valid, k) * k * k
    return torch.where(count > 0, total / count.clamp(min=1), torch.zeros_like(total)), count > 0


def loss(ref, predicted_mode, rp, ranges, reduction, weight):
    ref = clean(ref, predicted_mode)
    total, per_scale, positives, negatives = 0.0, [], [], []
    for s in SCALES:
        fa = features[s]
        da, va = at_scale(ref, s)
        acc, npos, nneg = 0.0, 0.0, np.zeros(len(ranges))
        for db, dh, dw in rolls[s].astype(int):
            fs = torch.roll(fa, shifts=(int(db), int(dh), int(dw)), dims=(0, 2, 3))
            ds = torch.roll(da, shifts=(int(db), int(dh), int(dw)), dims=(0, 2, 3))
            vs = torch.roll(va, shifts=(int(db), int(dh), int(dw)), dims=(0, 2, 3))
            l = ((fa - fs) ** 2).sum(1, keepdim=True).clamp(min=FLOOR).sqrt()
            dr = (da - ds).abs()
            both = va & vs
            pos = both & (dr < rp)
            acc = acc + l[pos].sum()
            npos += pos.sum().item()
            for j, (lo, hi, m) in enumerate(ranges):
                neg = both & (dr > lo) & (dr < hi)
                acc = acc + torch.clamp(m - l[neg], min=0).sum()
                nneg[j] += neg.sum().item()
        value = acc / max(npos + nneg.sum(), 1) if reduction == "mean" else acc
        per_scale.append(float(value))
        positives.append(npos)
        negatives.extend(nneg)
        total += float(value) / 2 ** s
    return np.array([weight * total] + per_scale + positives + list(negatives))


INF = float("inf")
cases = {
    # metric ground truth, three ranges (the NYU-style setting with margins suited to these features)
    "gt_multirange": (f32(reference), False, 0.1, [(0.5, 1.0, 3.0), (1.0, 1.5, 6.0), (1.5, 2.0, 8.0)], "mean", 1.0),
    # uniform strategy, raw sum as Eq. 10 is written
    "gt_uniform_sum": (f32(reference), False, 0.1, [(0.5, INF, 4.0)], "sum", 1.0),
    # median-normalised predicted depth: relative thresholds
    "predicted_multirange": (f32(predicted), True, 0.02, [(0.08, 0.4, 2.0), (0.4, 0.8, 3.0), (0.8, 1.2, 3.5)],
                             "mean", 0.1),
}
for name, args in cases.items():
    result = loss(*args)
    save("result_%s.npy" % name, result, np.float64)
    print(name, result[:4], "positives", result[4:7])
