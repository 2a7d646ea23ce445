#!/usr/bin/env python3
"""Golden fixtures for TripleDNet's D2G pretext distillation (seed 002, Eq. 1): a seeded pretext head
(2 x [Conv3x3x32 (no bias, zero padding) -> BatchNorm (training mode, eps 1e-5) -> ReLU] -> Conv1x1x1 with bias), a
disparity map and an RGB image; the loss L_d2g = mean sqrt((PL(D) - GS(x))^2 + eps^2), eps = 1e-3, weight 5e-3,
GS(x) = CIE Lab lightness L / 100 of the sRGB image (D65), and the gradients of L_d2g with respect to the disparity
and the first convolution's weight. Everything in float64 on float32-rounded inputs.

Run: /usr/bin/python3 generate.py (from this folder; needs Debian's python3-torch, 1.13).
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(7)
rng = np.random.default_rng(2002)
B, H, W = 2, 12, 20
EPS, ALPHA = 1e-3, 5e-3


def f32(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


def save(name, array):
    np.save(name, np.ascontiguousarray(np.asarray(array, dtype=np.float32)))


def lab_lightness(rgb):
    linear = torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = 0.2126729 * linear[:, 0:1] + 0.7151522 * linear[:, 1:2] + 0.0721750 * linear[:, 2:3]
    delta = 6.0 / 29
    f = torch.where(y > delta ** 3, y.clamp(min=0) ** (1.0 / 3), y / (3 * delta ** 2) + 4.0 / 29)
    return (116 * f - 16) / 100


head = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
    nn.Conv2d(32, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
    nn.Conv2d(32, 1, 1, bias=True)).double()
with torch.no_grad():
    for module in head:
        for name, p in module.named_parameters():
            p.copy_(f32(rng.normal(0.0 if name != "weight" or not isinstance(module, nn.BatchNorm2d) else 1.0,
                                   0.3, size=p.shape)))
names = {"conv0_weight": head[0].weight, "norm0_gamma": head[1].weight, "norm0_beta": head[1].bias,
         "conv1_weight": head[3].weight, "norm1_gamma": head[4].weight, "norm1_beta": head[4].bias,
         "predict_weight": head[6].weight, "predict_bias": head[6].bias}
for name, p in names.items():
    save(name + ".npy", p.detach().numpy())

yy, xx = np.meshgrid(np.linspace(0, 1, H), np.linspace(0, 1, W), indexing="ij")
disparity = 0.05 + 0.4 * yy[None, None] + 0.05 * rng.random((B, 1, H, W))
image = np.clip(0.3 + 0.4 * yy[None, None] + 0.2 * rng.random((B, 3, H, W)), 0, 1)
image[1, :, :3, :4] = 0.01  # dark pixels take the linear branches of sRGB and Lab
save("disparity.npy", disparity)
save("image.npy", image)

d = f32(disparity).requires_grad_(True)
x = f32(image)
head.train()
loss = torch.sqrt((head(d) - lab_lightness(x)) ** 2 + EPS ** 2).mean()
loss.backward()
save("grad_disparity.npy", d.grad.numpy())
save("grad_conv0_weight.npy", head[0].weight.grad.numpy())
np.save("result.npy", np.array([loss.item(), ALPHA * loss.item()]))
print("L_d2g", loss.item())
