#!/usr/bin/env python3
"""Golden gradients of the whole self-supervised objective with respect to every trainable network parameter.

The reference: the independent PyTorch networks of ../monodepth2/reference_nets.py (monodepth2's parameter names) in
training mode (batch norm on batch statistics), and an independent PyTorch implementation of monodepth2's loss
written from its formulas (as integration-tests/bench/monodepth2_train.py and ../loss/generate.py): disparity
upsampled bilinearly to full resolution at every scale, disparity -> depth with 0.1/100, back-projection, the t-1 pose
inverted, F.grid_sample (border padding, align_corners=True), 0.85 SSIM (3x3, reflection padding) + 0.15 L1,
per-pixel minimum over the reprojection errors and (auto-mask) the identity errors, edge-aware smoothness 1e-3 / 2^s
on the mean-normalised disparity against the 2^s block-averaged target, the sum over the 4 scales / 4; plus, per case,
one triplet term on the decoder features at scales 3, 2, 1 (the patch losses as ../triplet/generate.py computes them,
the depth-differential loss as ../differential/generate.py computes it). Everything runs in float64 on the same
float32 weights and images the Java side uses; the auto-mask's tie-break noise is off on both sides (see
docs/TRAINING.md, "Gradient parity with PyTorch").

Inputs (committed): prev.png, cur.png, next.png, frames 9-11 of `depthstream synth --frames 12 --size 192x64
--seed 5`; semantic.png, class ids of the centre frame for the patch triplet terms (written here: 8x8-pixel cells of
3 classes from a seeded generator). Intrinsics: KITTI's normalised K at 192x64 (0.58 W, 1.92 H, W/2, H/2).

Weights are not stored: every parameter is a function of its name (also computed by GradientGoldenTest):
  fnv(name)     = FNV-1a 64 of the UTF-8 key `<file stem>/<key>`, e.g. "encoder/encoder.conv1.weight"
  splitmix(x)   = SplitMix64's output function of x (mod 2^64)
  u_i           = (splitmix(fnv(name) + i) >> 11) * 2^-53, i the flat C-order index
  conv weights  = (2 u - 1) * sqrt(6 / fan_in) in the encoders, * sqrt(3 / fan_in) in the decoders
  1-D .weight   = 1 + 0.2 (2 u - 1) (batch-norm scales); 1-D .bias = 0.05 (2 u - 1), plus 2 at index 5 of
                  pose/net.3.bias (forward motion; see hashed_value)
computed in float64 and rounded to float32.

Outputs, one <arch>_<case>.npz per case (lite: automask, no_automask, fsre, isolated, differential; resnet18:
automask, no_automask): loss (the total), and per parameter key k: norm/k (the L2 norm of d total / d k),
proj/k (16 dot products with the sign vectors s_j[i] = +1 if splitmix(j * 2^32 + i) < 2^63 else -1, j = 1..16) and,
for lite tensors of at most 16384 values, full/k (the gradient itself, float32); spread/<module> (encoder, depth,
pose_encoder, pose): the worst relative L2 error of the same PyTorch computation run in float32, per module.

Run: /usr/bin/python3 generate.py (from this folder; Debian's python3-torch 1.13 and torchvision).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.io import ImageReadMode, read_image, write_png

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "monodepth2"))
from reference_nets import DepthDecoder, Encoder, PoseDecoder  # noqa: E402

H, W, SCALES = 64, 192, 4
MIN_DEPTH, MAX_DEPTH = 0.1, 100.0
SSIM_WEIGHT, SMOOTHNESS = 0.85, 1e-3
LAYOUTS = {"resnet18": (64, (2, 2, 2, 2)), "lite": (16, (1, 1, 1, 1))}
PROJECTIONS = 16
FULL_LIMIT = 16384
DIFFERENTIAL_SEED = 7  # the Random seed of the objective (the CLI's --seed); the rolls derive from it
M64 = (1 << 64) - 1


# ---- deterministic weights and sign vectors -------------------------------------------------------------------------

def splitmix(x):
    """SplitMix64's output function on a uint64 array (wrapping arithmetic)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def fnv(name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def uniform(name, n):
    with np.errstate(over="ignore"):
        h = splitmix(np.uint64(fnv(name)) + np.arange(n, dtype=np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def hashed_value(key, shape):
    n = int(np.prod(shape))
    u = uniform(key, n)
    if len(shape) == 4:
        fan_in = shape[1] * shape[2] * shape[3]
        gain = 6.0 if key.split("/")[0] in ("encoder", "pose_encoder") else 3.0
        v = (2 * u - 1) * np.sqrt(gain / fan_in)
    elif key.endswith(".weight"):
        v = 1 + 0.2 * (2 * u - 1)
    else:
        v = 0.05 * (2 * u - 1)
        if key == "pose/net.3.bias":
            # the untrained pose network predicts almost no motion (warped ~ source, every pixel a near-tie of the
            # auto-mask); +2 (x 0.01 = 2 cm forward per frame) gives a driving-like parallax of several pixels
            v[5] += 2.0
    return v.astype(np.float32).reshape(shape)


def signs(n):
    out = np.empty((PROJECTIONS, n))
    index = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(1, PROJECTIONS + 1):
            h = splitmix(np.uint64(j << 32) + index)
            out[j - 1] = 1.0 - 2.0 * (h >> np.uint64(63)).astype(np.float64)
    return out


# ---- java.util.Random, for the differential term's rolls --------------------------------------------------------------

class JavaRandom:
    """java.util.Random's 48-bit LCG: the Java objective draws the differential rolls from one."""
    MASK = (1 << 48) - 1

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & self.MASK

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & self.MASK
        r = self.seed >> (48 - bits)  # Java's (int) cast of this
        return r - (1 << 32) if r >= 1 << 31 else r

    def next_int(self, bound):
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < 1 << 31:
                return r
            u = self.next(31)

    def next_long(self):
        v = ((self.next(32) << 32) + self.next(32)) & M64
        return v - (1 << 64) if v >= 1 << 63 else v


def differential_rolls(sizes):
    """SelfSupervisedObjective(config, new Random(seed)): the term's generator is new Random(noise.nextLong()); per
    scale (3, 2, 1) SampleRoll.draw: 10 within-image rolls (1 + nextInt(h - 1), 1 + nextInt(w - 1)); a batch of one
    has no across-batch rolls."""
    rolls_random = JavaRandom(JavaRandom(DIFFERENTIAL_SEED).next_long())
    rolls = {}
    for s in (3, 2, 1):
        h, w = sizes[s]
        rolls[s] = [(0, 1 + rolls_random.next_int(h - 1), 1 + rolls_random.next_int(w - 1)) for _ in range(10)]
    return rolls


# ---- the photometric loss --------------------------------------------------------------------------------------------

def rotation(axisangle):
    angle = torch.norm(axisangle, 2, 1, True)
    axis = axisangle / (angle + 1e-7)
    c, s = torch.cos(angle), torch.sin(angle)
    C = 1 - c
    x, y, z = axis[:, 0:1], axis[:, 1:2], axis[:, 2:3]
    rows = [[x * x * C + c, x * y * C - z * s, z * x * C + y * s],
            [x * y * C + z * s, y * y * C + c, y * z * C - x * s],
            [z * x * C - y * s, y * z * C + x * s, z * z * C + c]]
    r = torch.zeros(axisangle.shape[0], 4, 4, dtype=axisangle.dtype)
    for i in range(3):
        for j in range(3):
            r[:, i, j] = rows[i][j][:, 0]
    r[:, 3, 3] = 1
    return r


def transform(axisangle, translation, invert):
    r = rotation(axisangle)
    t = translation
    if invert:
        r = r.transpose(1, 2)
        t = -t
    m = torch.eye(4, dtype=axisangle.dtype).repeat(axisangle.shape[0], 1, 1)
    m[:, :3, 3] = t
    return r @ m if invert else m @ r


def ssim_loss(x, y):
    x, y = F.pad(x, (1, 1, 1, 1), mode="reflect"), F.pad(y, (1, 1, 1, 1), mode="reflect")
    mu_x, mu_y = F.avg_pool2d(x, 3, 1), F.avg_pool2d(y, 3, 1)
    sigma_x = F.avg_pool2d(x * x, 3, 1) - mu_x ** 2
    sigma_y = F.avg_pool2d(y * y, 3, 1) - mu_y ** 2
    sigma_xy = F.avg_pool2d(x * y, 3, 1) - mu_x * mu_y
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    n = (2 * mu_x * mu_y + c1) * (2 * sigma_xy + c2)
    d = (mu_x ** 2 + mu_y ** 2 + c1) * (sigma_x + sigma_y + c2)
    return torch.clamp((1 - n / d) / 2, 0, 1)


def reprojection_error(predicted, target):
    l1 = (predicted - target).abs().mean(1, True)
    return SSIM_WEIGHT * ssim_loss(predicted, target).mean(1, True) + (1 - SSIM_WEIGHT) * l1


def smoothness(disp, image):
    disp = disp / (disp.mean(2, True).mean(3, True) + 1e-7)
    dx = (disp[:, :, :, :-1] - disp[:, :, :, 1:]).abs()
    dy = (disp[:, :, :-1, :] - disp[:, :, 1:, :]).abs()
    ix = (image[:, :, :, :-1] - image[:, :, :, 1:]).abs().mean(1, True)
    iy = (image[:, :, :-1, :] - image[:, :, 1:, :]).abs().mean(1, True)
    return (dx * torch.exp(-ix)).mean() + (dy * torch.exp(-iy)).mean()


def to_depth(disp):
    return 1 / (1 / MAX_DEPTH + (1 / MIN_DEPTH - 1 / MAX_DEPTH) * disp)


def photometric(disparities, poses, images, k, inv_k, automask):
    target, sources = images[1], (images[0], images[2])
    dtype = target.dtype
    ys, xs = torch.meshgrid(torch.arange(H, dtype=dtype), torch.arange(W, dtype=dtype), indexing="ij")
    pixels = torch.stack([xs.reshape(-1), ys.reshape(-1), torch.ones(H * W, dtype=dtype)], 0)
    total = 0
    for s in range(SCALES):
        disp = disparities[s]
        depth = to_depth(F.interpolate(disp, [H, W], mode="bilinear", align_corners=False))
        points = depth.view(1, 1, -1) * (inv_k[:, :3, :3] @ pixels)
        points = torch.cat([points, torch.ones(1, 1, H * W, dtype=dtype)], 1)
        errors = []
        for source, pose in zip(sources, poses):
            camera = (k @ pose)[:, :3, :] @ points
            uv = camera[:, :2] / (camera[:, 2:3] + 1e-7)
            uv = uv.view(1, 2, H, W).permute(0, 2, 3, 1)
            grid = torch.stack([uv[..., 0] / (W - 1), uv[..., 1] / (H - 1)], -1)
            warped = F.grid_sample(source, (grid - 0.5) * 2, padding_mode="border", align_corners=True)
            errors.append(reprojection_error(warped, target))
        candidates = torch.cat(errors, 1)
        if automask:
            identity = torch.cat([reprojection_error(source, target) for source in sources], 1)
            candidates = torch.cat([identity, candidates], 1)
        per_pixel, _ = torch.min(candidates, 1)
        colour = target if s == 0 else F.avg_pool2d(target, 2 ** s)
        total = total + per_pixel.mean() + SMOOTHNESS / 2 ** s * smoothness(disp, colour)
    return total / SCALES


# ---- triplet terms ---------------------------------------------------------------------------------------------------

def patch_loss(feature, labels, rule, hardest, split, margin, iso_margin, K=5, T=4):
    """../triplet/generate.py's patch_loss (FSRE Eqs. 5-8 and the edge-fattening redesign), for labelled frames."""
    n, c, h, w = feature.shape
    pad = K // 2
    lab = torch.from_numpy(labels).to(feature.dtype).view(n, 1, h, w)
    lab_patches = F.unfold(F.pad(lab, [pad] * 4, value=-1), K).view(n, K * K, h, w)
    same = (lab_patches == lab).to(feature.dtype)
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
    if split:
        per = d_pos + torch.clamp(iso_margin - d_neg, min=0)
    else:
        per = torch.clamp(d_pos - d_neg + margin, min=0)
    return per[boundary].mean() if boundary.sum() > 0 else per.sum() * 0


PATCH_TERMS = {
    "fsre": dict(rule="gt", hardest=False, split=False, margin=0.3, iso_margin=0.0),
    "isolated": dict(rule="ge", hardest=True, split=True, margin=0.35, iso_margin=0.65),
}


def patch_triplet(features, semantic, term):
    total = 0
    for s in (3, 2, 1):
        # SemanticMap.resized: nearest neighbour, source index floor(y * H / h)
        labels = semantic[:: 2 ** s, :: 2 ** s][None]
        total = total + 0.1 * patch_loss(features[s], labels, **PATCH_TERMS[term]) / 2 ** s
    return total


def differential_triplet(features, disp0):
    """../differential/generate.py's loss in DifferentialTripletConfig.selfSupervised()'s setting: the reference is
    the model's own scale-0 depth (no gradient), divided by its median; r_p 0.008, three negative ranges with their
    margins, the labelled-pair mean per scale, weight 0.1."""
    positive, ranges, weight = 0.008, [(0.08, 0.4, 2.0), (0.4, 0.8, 3.0), (0.8, 1.2, 3.5)], 0.1
    ref = to_depth(disp0.detach())
    ref = ref / torch.median(ref.reshape(-1))
    sizes = {s: (H >> s, W >> s) for s in (1, 2, 3)}
    rolls = differential_rolls(sizes)
    total = 0
    for s in (3, 2, 1):
        fa = features[s]
        da = F.avg_pool2d(ref, 2 ** s)  # every reference pixel is valid: the block mean
        acc, labelled = 0.0, 0
        for db, dh, dw in rolls[s]:
            fs = torch.roll(fa, shifts=(db, dh, dw), dims=(0, 2, 3))
            ds = torch.roll(da, shifts=(db, dh, dw), dims=(0, 2, 3))
            l = ((fa - fs) ** 2).sum(1, keepdim=True).clamp(min=1e-12).sqrt()
            dr = (da - ds).abs()
            pos = dr < positive
            acc = acc + l[pos].sum()
            labelled += int(pos.sum())
            for lo, hi, m in ranges:
                neg = (dr > lo) & (dr < hi)
                acc = acc + torch.clamp(m - l[neg], min=0).sum()
                labelled += int(neg.sum())
        total = total + acc / max(labelled, 1) / 2 ** s
    return weight * total


# ---- one case ---------------------------------------------------------------------------------------------------------

def networks(arch, dtype):
    base, blocks = LAYOUTS[arch]
    encoder = Encoder(1, base, blocks)
    depth = DepthDecoder(encoder.channels)
    pose_encoder = Encoder(2, base, blocks)
    pose = PoseDecoder(pose_encoder.channels)
    named = {"encoder": encoder, "depth": depth, "pose_encoder": pose_encoder, "pose": pose}
    for stem, module in named.items():
        for key, parameter in module.named_parameters():
            parameter.data = torch.from_numpy(hashed_value(f"{stem}/{key}", tuple(parameter.shape)))
        module.to(dtype).train()
    return named


def read_png(name):
    return read_image(name, ImageReadMode.RGB).numpy().astype(np.float32) / np.float32(255)


def gradients(arch, case, images, semantic, dtype=torch.float64):
    """The total and {key: d total / d parameter} with every tensor (and the loss) in dtype."""
    global_dtype = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        nets = networks(arch, dtype)
        frames = [torch.from_numpy(image).to(dtype)[None] for image in images]
        k = torch.tensor([[0.58 * W, 0, 0.5 * W, 0], [0, 1.92 * H, 0.5 * H, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
                         dtype=dtype)[None]
        inv_k = torch.linalg.inv(k)
        disparities, features = nets["depth"](nets["encoder"](frames[1]))
        poses = []
        for pair, invert in (((frames[0], frames[1]), True), ((frames[1], frames[2]), False)):
            axisangle, translation = nets["pose"](nets["pose_encoder"](torch.cat(pair, 1)))
            poses.append(transform(axisangle, translation, invert))
        total = photometric(disparities, poses, frames, k, inv_k, automask=case != "no_automask")
        if case in PATCH_TERMS:
            total = total + patch_triplet(features, semantic, case)
        elif case == "differential":
            total = total + differential_triplet(features, disparities[0])
        total.backward()
        grads = {f"{stem}/{key}": p.grad.double().numpy()
                 for stem, module in nets.items() for key, p in module.named_parameters()}
        return total.item(), grads
    finally:
        torch.set_default_dtype(global_dtype)


def worst_by_module(grads, reference):
    """Per module the largest relative L2 error over tensors whose reference norm is at least 1e-6 of the largest."""
    largest = max(np.linalg.norm(g) for g in reference.values())
    worst = {}
    for key, r in reference.items():
        norm = np.linalg.norm(r)
        if norm >= 1e-6 * largest:
            module = key.split("/")[0]
            worst[module] = max(worst.get(module, 0), np.linalg.norm(grads[key] - r) / norm)
    return worst


def run_case(arch, case, images, semantic):
    total, grads = gradients(arch, case, images, semantic)
    out = {"loss": np.array([total])}
    for name, g in grads.items():
        flat = g.reshape(-1)
        out[f"norm/{name}"] = np.array([np.linalg.norm(flat)])
        out[f"proj/{name}"] = signs(flat.size) @ flat
        if arch == "lite" and flat.size <= FULL_LIMIT:
            out[f"full/{name}"] = g.astype(np.float32)
    # the same computation in float32: how far float32 rounding alone moves the gradients (a few per-pixel minimum
    # decisions between candidates closer than ~1e-5 go the other way); GradientGoldenTest's bound follows from it
    _, single = gradients(arch, case, images, semantic, torch.float32)
    spread = worst_by_module(single, grads)
    for module, error in spread.items():
        out[f"spread/{module}"] = np.array([error])
    np.savez(f"{arch}_{case}.npz", **out)
    print(arch, case, "loss %.8f" % total, "| PyTorch float32 vs float64:",
          " ".join("%s %.2g" % kv for kv in spread.items()), flush=True)


def main():
    images = [read_png(f"{name}.png") for name in ("prev", "cur", "next")]
    rng = np.random.default_rng(26)
    semantic = np.repeat(np.repeat(rng.integers(0, 3, size=(H // 8, W // 8)), 8, 0), 8, 1).astype(np.uint8)
    write_png(torch.from_numpy(semantic)[None], "semantic.png")
    for case in ("automask", "no_automask", "fsre", "isolated", "differential"):
        run_case("lite", case, images, semantic.astype(np.int64))
    for case in ("automask", "no_automask"):
        run_case("resnet18", case, images, semantic.astype(np.int64))


if __name__ == "__main__":
    main()
