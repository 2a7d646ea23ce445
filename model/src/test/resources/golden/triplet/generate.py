#!/usr/bin/env python3
"""Golden fixtures for the patch triplet losses: seeded random decoder features and label maps at scales 1, 2, 3,
and the losses computed by an independent PyTorch implementation written from the formulas (FSRE Eqs. 5-8 and the
edge-fattening redesign): every K x K patch is materialised with F.unfold, labels are padded with -1 (outside =
negative), features zero-padded, dist = sqrt(max(2 - 2<f_i, f_j>, 1e-9)), float64 on the float32-rounded features.

Frame 2 of the batch has no labels: it must add nothing.

Run: /usr/bin/python3 generate.py (from this folder; needs Debian's python3-torch, 1.13).

Outputs: feature_s<s>.npy (N,C,H,W); labels_s<s>.npy (N,H,W) with -1 for the unlabelled frame;
<variant>.npy = [total, loss_s1, loss_s2, loss_s3, boundary_s1, boundary_s2, boundary_s3] for the variants
fsre_gt (K5 T4 '>', m 0.3), fsre_ge ('>='), iso_split_min, iso_joint_min, iso_split_mean, iso_joint_mean
('>=', m 0.35, m_iso 0.65); weight 0.1, scale s divided by 2^s; grad_fsre_gt_s<s>.npy and grad_iso_split_min_s<s>.npy
hold d total / d feature.
"""
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(7)
N, H, W = 3, 48, 64
CHANNELS = {1: 8, 2: 12, 3: 16}
K, T = 5, 4
WEIGHT = 0.1


def f32(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


def labels_at(h, w):
    """Blocky random regions: 4x4 px cells of 3 classes, with a few single-pixel noise labels."""
    coarse = rng.integers(0, 3, size=(N, (h + 3) // 4, (w + 3) // 4))
    full = np.repeat(np.repeat(coarse, 4, axis=1), 4, axis=2)[:, :h, :w].copy()
    noise = rng.random((N, h, w)) < 0.03
    full[noise] = 3
    full[2] = -1
    return full


def patch_loss(feature, labels, rule, hardest, split, margin, iso_margin):
    n, c, h, w = feature.shape
    pad = K // 2
    lab = torch.from_numpy(labels.astype(np.float64)).unsqueeze(1)
    lab_patches = F.unfold(F.pad(lab, [pad] * 4, value=-1), K).view(n, K * K, h, w)
    same = (lab_patches == lab).double()
    pos_count = same.sum(1)
    neg_count = K * K - pos_count
    f = F.normalize(feature, dim=1)
    f_patches = F.unfold(F.pad(f, [pad] * 4), K).view(n, c, K * K, h, w)
    dot = (f.unsqueeze(2) * f_patches).sum(1)
    dist = torch.clamp(2 - 2 * dot, min=1e-9).sqrt()
    d_pos = (dist * same).sum(1) / pos_count
    if hardest:
        d_neg = torch.where(same.bool(), torch.full_like(dist, 1e3), dist).min(1)[0]
    else:
        d_neg = (dist * (1 - same)).sum(1) / neg_count.clamp(min=1)
    if rule == "gt":
        boundary = (pos_count > T) & (neg_count > T)
    else:
        boundary = (pos_count >= T) & (neg_count >= T)
    labelled = torch.from_numpy(labels[:, 0, 0] >= 0).view(n, 1, 1)
    boundary = boundary & labelled
    if split:
        per = d_pos + torch.clamp(iso_margin - d_neg, min=0)
    else:
        per = torch.clamp(d_pos - d_neg + margin, min=0)
    count = boundary.sum()
    loss = per[boundary].mean() if count > 0 else per.sum() * 0
    return loss, float(count)


features = {}
labels = {}
for s in (1, 2, 3):
    h, w = H >> s, W >> s
    features[s] = f32(rng.normal(size=(N, CHANNELS[s], h, w)))
    labels[s] = labels_at(h, w)
    np.save(f"feature_s{s}.npy", features[s].numpy().astype(np.float32))
    np.save(f"labels_s{s}.npy", labels[s].astype(np.float32))

variants = {
    "fsre_gt": dict(rule="gt", hardest=False, split=False, margin=0.3, iso_margin=0.0),
    "fsre_ge": dict(rule="ge", hardest=False, split=False, margin=0.3, iso_margin=0.0),
    "iso_split_min": dict(rule="ge", hardest=True, split=True, margin=0.35, iso_margin=0.65),
    "iso_joint_min": dict(rule="ge", hardest=True, split=False, margin=0.35, iso_margin=0.65),
    "iso_split_mean": dict(rule="ge", hardest=False, split=True, margin=0.35, iso_margin=0.65),
    "iso_joint_mean": dict(rule="ge", hardest=False, split=False, margin=0.35, iso_margin=0.65),
}
for name, v in variants.items():
    leaves = {s: features[s].clone().requires_grad_(True) for s in (1, 2, 3)}
    total = 0
    losses, counts = [], []
    for s in (3, 2, 1):
        loss, count = patch_loss(leaves[s], labels[s], **v)
        total = total + WEIGHT * loss / 2 ** s
        losses.append((s, loss.item()))
        counts.append((s, count))
    total.backward()
    by_scale = dict(losses)
    by_count = dict(counts)
    out = [total.item()] + [by_scale[s] for s in (1, 2, 3)] + [by_count[s] for s in (1, 2, 3)]
    np.save(f"{name}.npy", np.array(out, dtype=np.float64))
    if name in ("fsre_gt", "iso_split_min"):
        for s in (1, 2, 3):
            np.save(f"grad_{name}_s{s}.npy", leaves[s].grad.numpy())
    print(name, ["%.6f" % x for x in out])
