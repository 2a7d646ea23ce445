#!/usr/bin/env python3
"""PyTorch (Python) side of `depthstream bench --training --python`: monodepth2's training step, written from its
published method (seed digest §2.0) on the independently built networks of
model/src/test/resources/golden/monodepth2/reference_nets.py, timed the same way as depthstream's `TrainingStep`.

One step: colour jitter (p = 0.5, same jitter for the three frames, network inputs only) and horizontal flip
(p = 0.5, every frame, principal point mirrored) per sample; the depth network on frame t (4 disparity scales); the
separate pose network on the stacked pairs [t-1, t] and [t, t+1] (the t-1 motion inverted); per scale the disparity
upsampled to full resolution, back-projected, transformed, projected and sampled with
grid_sample(padding_mode="border"); 0.85 SSIM + 0.15 L1; per-pixel minimum over the reprojection and the identity
errors (+1e-5 noise), the auto-mask; edge-aware smoothness 1e-3 / 2^s on the mean-normalised disparity; the sum over
scales divided by 4; backward; Adam 1e-4.

Protocol (the one monodepth2_eager.py speaks): the script prints `ready torch <version> threads <n>` once the
networks are built, then for every stdin line `train BATCH STEPS` it runs that many steps on random triplets at that
batch (one Adam state across all of them) and prints the elapsed seconds, followed by the seconds each phase took as
`name=seconds`: `data` (arrays to tensors, augmentation), `forward` (networks and loss), `backward`, `optimizer`.
Arguments: --arch resnet18|lite --height H --width W --threads N [--no-augment].
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "model", "src", "test", "resources", "golden", "monodepth2"))
from reference_nets import DepthDecoder, Encoder, PoseDecoder  # noqa: E402

LAYOUTS = {"resnet18": (64, (2, 2, 2, 2)), "lite": (16, (1, 1, 1, 1))}
MIN_DEPTH, MAX_DEPTH = 0.1, 100.0
SCALES = 4
SSIM_WEIGHT = 0.85
SMOOTHNESS = 1e-3
IDENTITY_NOISE = 1e-5


def rotation(axisangle):
    """(B,3) axis-angle to (B,4,4) rotation (Rodrigues)."""
    angle = torch.norm(axisangle, 2, 1, True)
    axis = axisangle / (angle + 1e-7)
    c, s = torch.cos(angle), torch.sin(angle)
    C = 1 - c
    x, y, z = axis[:, 0:1], axis[:, 1:2], axis[:, 2:3]
    rows = [
        [x * x * C + c, x * y * C - z * s, z * x * C + y * s],
        [x * y * C + z * s, y * y * C + c, y * z * C - x * s],
        [z * x * C - y * s, y * z * C + x * s, z * z * C + c],
    ]
    r = torch.zeros(axisangle.shape[0], 4, 4, dtype=axisangle.dtype)
    for i in range(3):
        for j in range(3):
            r[:, i, j] = rows[i][j][:, 0]
    r[:, 3, 3] = 1
    return r


def transform(axisangle, translation, invert):
    """Camera motion as a (B,4,4) matrix; inverted (R^T, -R^T t) for the earlier frame of a pair."""
    r = rotation(axisangle)
    t = translation.clone()
    if invert:
        r = r.transpose(1, 2)
        t = -t
    m = torch.eye(4, dtype=axisangle.dtype).repeat(axisangle.shape[0], 1, 1)
    m[:, :3, 3] = t
    return torch.matmul(r, m) if invert else torch.matmul(m, r)


def ssim_loss(x, y):
    """(1 - SSIM)/2 per pixel and channel: 3x3 mean pooling over reflection-padded images, clamped to [0, 1]."""
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


class Trainer:
    """The networks, Adam and the fixed pixel grid of one image size."""

    def __init__(self, arch, height, width):
        base, blocks = LAYOUTS[arch]
        self.height, self.width = height, width
        self.encoder = Encoder(1, base, blocks)
        self.depth = DepthDecoder(self.encoder.channels)
        self.pose_encoder = Encoder(2, base, blocks)
        self.pose = PoseDecoder(self.pose_encoder.channels)
        self.modules = (self.encoder, self.depth, self.pose_encoder, self.pose)
        parameters = []
        for module in self.modules:
            module.train()
            if module in (self.encoder, self.pose_encoder):
                for m in module.modules():
                    # torchvision's ResNet initialisation, as depthstream's encoders: Kaiming-normal, fan-out;
                    # the decoders keep PyTorch's default (uniform within 1/sqrt(fan_in)), as monodepth2's do
                    if isinstance(m, torch.nn.Conv2d):
                        torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            parameters += list(module.parameters())
        self.optimizer = torch.optim.Adam(parameters, lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
        ys, xs = torch.meshgrid(torch.arange(height, dtype=torch.float32),
                                torch.arange(width, dtype=torch.float32), indexing="ij")
        self.pixels = torch.stack([xs.reshape(-1), ys.reshape(-1), torch.ones(height * width)], 0)  # (3, HW)

    def batch(self, frames, rng, augment):
        """frames: (3, B, 3, H, W) float32 NumPy in [0, 1] -> network inputs, loss images, K, K^-1."""
        images = torch.from_numpy(frames.copy())
        network = images.clone()
        b = images.shape[1]
        fx, fy, cx, cy = 0.58 * self.width, 1.92 * self.height, 0.5 * self.width, 0.5 * self.height
        k = torch.zeros(b, 4, 4)
        for i in range(b):
            jitter, flip = augment and rng.random() < 0.5, augment and rng.random() < 0.5
            if jitter:
                network[:, i] = color_jitter(network[:, i], rng)
            if flip:
                images[:, i] = images[:, i].flip(-1)
                network[:, i] = network[:, i].flip(-1)
            k[i] = torch.tensor([[fx, 0, (self.width - 1) - cx if flip else cx, 0],
                                 [0, fy, cy, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        return network, images, k, torch.inverse(k)

    def loss(self, network, images, k, inv_k):
        b = images.shape[1]
        disparities = self.depth(self.encoder(network[1]))[0]
        poses = []
        for pair, invert in (((network[0], network[1]), True), ((network[1], network[2]), False)):
            axisangle, translation = self.pose(self.pose_encoder(torch.cat(pair, 1)))
            poses.append(transform(axisangle, translation, invert))
        target, sources = images[1], (images[0], images[2])
        total = 0
        for s in range(SCALES):
            disp = disparities[s]
            full = F.interpolate(disp, [self.height, self.width], mode="bilinear", align_corners=False)
            scaled = 1 / MAX_DEPTH + (1 / MIN_DEPTH - 1 / MAX_DEPTH) * full
            depth = 1 / scaled
            points = depth.view(b, 1, -1) * torch.matmul(inv_k[:, :3, :3], self.pixels)
            points = torch.cat([points, torch.ones(b, 1, self.height * self.width)], 1)
            errors = []
            for source, pose in zip(sources, poses):
                camera = torch.matmul(torch.matmul(k, pose)[:, :3, :], points)
                uv = camera[:, :2] / (camera[:, 2:3] + 1e-7)
                uv = uv.view(b, 2, self.height, self.width).permute(0, 2, 3, 1)
                grid = torch.stack([uv[..., 0] / (self.width - 1), uv[..., 1] / (self.height - 1)], -1)
                warped = F.grid_sample(source, (grid - 0.5) * 2, padding_mode="border", align_corners=True)
                errors.append(reprojection_error(warped, target))
            # per scale, as monodepth2's trainer computes it (and depthstream's PhotometricLoss)
            identity = torch.cat([reprojection_error(source, target) for source in sources], 1)
            noisy_identity = identity + torch.randn(identity.shape) * IDENTITY_NOISE
            per_pixel, _ = torch.min(torch.cat([noisy_identity, torch.cat(errors, 1)], 1), 1)
            colour = target if s == 0 else F.avg_pool2d(target, 2 ** s)
            total = total + per_pixel.mean() + SMOOTHNESS / 2 ** s * smoothness(disp, colour)
        return total / SCALES


def color_jitter(frames, rng):
    """torchvision's ColorJitter with monodepth2's ranges, one draw for the (3, 3, H, W) frames of a sample."""
    brightness, contrast, saturation = (rng.uniform(0.8, 1.2) for _ in range(3))
    hue = rng.uniform(-0.1, 0.1)
    for step in rng.permutation(4):
        if step == 0:
            frames = TF.adjust_brightness(frames, brightness)
        elif step == 1:
            frames = TF.adjust_contrast(frames, contrast)
        elif step == 2:
            frames = TF.adjust_saturation(frames, saturation)
        else:
            frames = TF.adjust_hue(frames, hue)
    return frames


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="resnet18", choices=sorted(LAYOUTS))
    parser.add_argument("--height", type=int, default=192)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--no-augment", dest="augment", action="store_false")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    trainer = Trainer(args.arch, args.height, args.width)
    rng = np.random.default_rng(0)
    print(f"ready torch {torch.__version__} threads {torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        command, batch, steps = line.split()
        if command != "train":
            raise SystemExit(f"unknown command {command!r}: expected 'train BATCH STEPS'")
        batch, steps = int(batch), int(steps)
        frames = rng.random((3, batch, 3, args.height, args.width), dtype=np.float32)
        phases = {"data": 0.0, "forward": 0.0, "backward": 0.0, "optimizer": 0.0}
        start = time.perf_counter()
        for _ in range(steps):
            t0 = time.perf_counter()
            network, images, k, inv_k = trainer.batch(frames, rng, args.augment)
            t1 = time.perf_counter()
            loss = trainer.loss(network, images, k, inv_k)
            t2 = time.perf_counter()
            trainer.optimizer.zero_grad()
            loss.backward()
            t3 = time.perf_counter()
            trainer.optimizer.step()
            t4 = time.perf_counter()
            if not math.isfinite(loss.item()):
                raise SystemExit(f"the loss is not finite: {loss.item()}")
            phases["data"] += t1 - t0
            phases["forward"] += t2 - t1
            phases["backward"] += t3 - t2
            phases["optimizer"] += t4 - t3
        elapsed = time.perf_counter() - start
        print(f"{elapsed:.6f} " + " ".join(f"{name}={seconds:.6f}" for name, seconds in phases.items()), flush=True)


if __name__ == "__main__":
    main()
