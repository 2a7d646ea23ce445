#!/usr/bin/env python3
"""Golden fixtures for the photometric loss: fixed seeded inputs and the loss terms computed by an independent
PyTorch implementation of the monodepth2 formulas (torch's own grid_sample, interpolate, avg_pool2d and
ReflectionPad2d; everything in float64 on the float32-rounded inputs).

Run: /usr/bin/python3 generate.py (from this folder; needs Debian's python3-torch, 1.13).

terms_<config>.npy holds [total, photometric s0..s3, smoothness s0..s3 (unweighted), identity share s0..s3].
"""
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(2024)

B, H, W, SCALES = 2, 32, 96, 4
MIN_DEPTH, MAX_DEPTH = 0.1, 100.0
ALPHA, SMOOTHNESS = 0.85, 1e-3


def f32(a):
    """Round to float32 (what the Java side reads), then compute in float64."""
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


def rotation(axis_angle):
    v = axis_angle.reshape(-1, 3)
    angle = v.norm(dim=1, keepdim=True)
    x, y, z = (v / (angle + 1e-7)).unbind(1)
    c, s = torch.cos(angle[:, 0]), torch.sin(angle[:, 0])
    k = 1 - c
    r = torch.zeros(v.shape[0], 4, 4, dtype=v.dtype)
    r[:, 0, 0], r[:, 0, 1], r[:, 0, 2] = c + x * x * k, x * y * k - z * s, x * z * k + y * s
    r[:, 1, 0], r[:, 1, 1], r[:, 1, 2] = y * x * k + z * s, c + y * y * k, y * z * k - x * s
    r[:, 2, 0], r[:, 2, 1], r[:, 2, 2] = z * x * k - y * s, z * y * k + x * s, c + z * z * k
    r[:, 3, 3] = 1
    return r


def pose(axis_angle, translation, invert):
    r = rotation(axis_angle)
    t = translation.reshape(-1, 3)
    if invert:
        r = r.transpose(1, 2)
        t = -t
    tm = torch.eye(4, dtype=t.dtype).repeat(t.shape[0], 1, 1)
    tm[:, :3, 3] = t
    return r @ tm if invert else tm @ r


def warp_grid(depth, k, inv_k, transform):
    b, _, h, w = depth.shape
    v, u = torch.meshgrid(torch.arange(h, dtype=depth.dtype), torch.arange(w, dtype=depth.dtype), indexing="ij")
    pix = torch.stack([u.reshape(-1), v.reshape(-1), torch.ones(h * w, dtype=depth.dtype)])
    cam = (inv_k[:, :3, :3] @ pix) * depth.reshape(b, 1, -1)
    cam = torch.cat([cam, torch.ones(b, 1, h * w, dtype=depth.dtype)], 1)
    p = (k @ transform)[:, :3] @ cam
    uv = p[:, :2] / (p[:, 2:3] + 1e-7)
    uv = uv.reshape(b, 2, h, w).permute(0, 2, 3, 1)
    return torch.stack([uv[..., 0] / (w - 1) * 2 - 1, uv[..., 1] / (h - 1) * 2 - 1], -1)


def sample(image, grid):
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="border", align_corners=True)


def ssim_loss(x, y):
    pad = torch.nn.ReflectionPad2d(1)
    x, y = pad(x), pad(y)
    mean = lambda a: F.avg_pool2d(a, 3, 1)
    mx, my = mean(x), mean(y)
    vx, vy, cxy = mean(x * x) - mx ** 2, mean(y * y) - my ** 2, mean(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return ((1 - s) / 2).clamp(0, 1)


def pe(pred, target):
    return ALPHA * ssim_loss(pred, target).mean(1, True) + (1 - ALPHA) * (pred - target).abs().mean(1, True)


def smoothness(disp, image):
    d = disp / (disp.mean((2, 3), True) + 1e-7)
    gx = (d[..., :-1] - d[..., 1:]).abs() * torch.exp(-(image[..., :-1] - image[..., 1:]).abs().mean(1, True))
    gy = (d[..., :-1, :] - d[..., 1:, :]).abs() * torch.exp(-(image[..., :-1, :] - image[..., 1:, :]).abs().mean(1, True))
    return gx.mean() + gy.mean()


def to_depth(sigmoid):
    return 1 / (1 / MAX_DEPTH + (1 / MIN_DEPTH - 1 / MAX_DEPTH) * sigmoid)


def loss(inputs, min_reprojection=True, automask=True, full_res=True, sources=("prev", "next")):
    target, k, inv_k = inputs["target"], inputs["K"], inputs["invK"]
    total, pms, sms, shares = 0, [], [], []
    for s in range(SCALES):
        disp = inputs[f"disp_{s}"]
        h, w = disp.shape[2:]
        target_s = F.avg_pool2d(target, 2 ** s) if s else target
        if full_res:
            warp_disp, tgt, ks, inv_ks = F.interpolate(disp, [H, W], mode="bilinear", align_corners=False), target, k, inv_k
            imgs = [inputs[name] for name in sources]
        else:
            scale = torch.diag(torch.tensor([w / W, h / H, 1, 1], dtype=k.dtype))
            warp_disp, tgt, ks, inv_ks = disp, target_s, scale @ k, torch.linalg.inv(scale @ k)
            imgs = [F.avg_pool2d(inputs[name], 2 ** s) if s else inputs[name] for name in sources]
        depth = to_depth(warp_disp)
        reproj = torch.cat([pe(sample(img, warp_grid(depth, ks, inv_ks, inputs["T_" + name])), tgt)
                            for img, name in zip(imgs, sources)], 1)
        ident = torch.cat([pe(img, tgt) for img in imgs], 1)
        if not min_reprojection:
            reproj, ident = reproj.mean(1, True), ident.mean(1, True)
        combined = torch.cat([ident, reproj], 1) if automask else reproj
        best, index = combined.min(1)
        share = (index < ident.shape[1]).double().mean().item() if automask else 0.0
        pm = best.mean()
        sm = smoothness(disp, target_s)
        total = total + pm + SMOOTHNESS * sm / 2 ** s
        pms.append(pm.item()), sms.append(sm.item()), shares.append(share)
    return np.array([(total / SCALES).item()] + pms + sms + shares, dtype=np.float64)


def smooth_noise(shape, cells):
    low = torch.from_numpy(rng.standard_normal((shape[0], shape[1], cells[0], cells[1])))
    return F.interpolate(low, shape[2:], mode="bicubic", align_corners=False)


def main():
    saved = {}
    texture = 0.5 + 0.18 * smooth_noise((B, 3, H, W), (8, 24)) + 0.08 * smooth_noise((B, 3, H, W), (16, 48))
    saved["target"] = texture.clamp(0.02, 0.98)
    k = np.zeros((B, 4, 4))
    for b, (fx, fy, cx, cy) in enumerate([(0.58 * W, 1.92 * H, 0.5 * W, 0.5 * H), (50.0, 58.0, 46.5, 15.25)]):
        k[b] = [[fx, 0, cx, 0], [0, fy, cy, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    saved["K"] = k
    saved["invK"] = np.linalg.inv(k)
    # a scene receding towards the top of the image, 3 m at the bottom row to 30 m at the top
    rows = torch.linspace(30.0, 3.0, H, dtype=torch.float64).reshape(1, 1, H, 1)
    true_depth = rows.expand(B, 1, H, W) * (1 + 0.1 * smooth_noise((B, 1, H, W), (4, 12)))
    sigma = ((1 / true_depth - 1 / MAX_DEPTH) / (1 / MIN_DEPTH - 1 / MAX_DEPTH))
    sigma = (sigma * torch.exp(0.15 * smooth_noise((B, 1, H, W), (8, 24)))).clamp(1e-3, 0.999)
    for s in range(SCALES):
        saved[f"disp_{s}"] = F.avg_pool2d(sigma, 2 ** s) if s else sigma
    saved["axisangle_prev"] = rng.normal(0, 0.01, (B, 1, 3))
    saved["translation_prev"] = np.array([[[0.02, -0.01, 0.6]], [[-0.03, 0.0, 0.5]]]) + rng.normal(0, 0.01, (B, 1, 3))
    saved["axisangle_next"] = rng.normal(0, 0.01, (B, 1, 3))
    saved["translation_next"] = np.array([[[-0.02, 0.01, -0.6]], [[0.03, 0.0, -0.45]]]) + rng.normal(0, 0.01, (B, 1, 3))

    inputs = {name: f32(value) for name, value in saved.items() if not name.startswith("target")}
    target = f32(saved["target"])
    inputs["target"] = target
    inputs["T_prev"] = pose(inputs["axisangle_prev"], inputs["translation_prev"], True)
    inputs["T_next"] = pose(inputs["axisangle_next"], inputs["translation_next"], False)
    for name in ("prev", "next"):
        # a neighbour view: the target seen through the inverse motion, sensor noise, and a static patch
        # (identical to the target) where the auto-mask should prefer the identity error
        grid = warp_grid(true_depth, inputs["K"], inputs["invK"], torch.linalg.inv(inputs["T_" + name]))
        view = sample(target, grid) + 0.02 * torch.from_numpy(rng.standard_normal((B, 3, H, W)))
        view[:, :, 4:14, 60:84] = target[:, :, 4:14, 60:84]
        saved[name] = view.clamp(0, 1)
        inputs[name] = f32(saved[name])

    for name, value in saved.items():
        np.save(f"{name}.npy", np.asarray(value, dtype=np.float32))
    configs = {
        "default": {},
        "no_automask": {"automask": False},
        "avg_reprojection": {"min_reprojection": False},
        "no_fullres": {"full_res": False},
        "prev_only": {"sources": ("prev",)},
    }
    for name, options in configs.items():
        terms = loss(inputs, **options)
        np.save(f"terms_{name}.npy", terms)
        print(name, np.array2string(terms, precision=5, max_line_width=200))


if __name__ == "__main__":
    main()
