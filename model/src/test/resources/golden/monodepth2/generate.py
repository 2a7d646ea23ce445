#!/usr/bin/env python3
"""Golden fixture for the Java networks and checkpoint import.

Builds the monodepth2 architecture (reference_nets.py, written from the seed digest §2.0) in the `lite` width (base
width 16, one block per stage), seeds every parameter and batch-norm statistic, saves the four checkpoint files monodepth2 uses, runs a fixed input through the networks in eval mode and
saves the outputs.

Every conv weight is stored as a strided view (torch.as_strided) of a small random storage: that keeps the checkpoint
files small (~0.5 MB instead of ~12 MB) and makes the Java reader honour storage offsets and strides.

Run: /usr/bin/python3 generate.py (from this folder; Debian's python3-torch 1.13).
"""
import numpy as np
import torch
import torch.nn as nn

from reference_nets import DepthDecoder, Encoder, PoseDecoder

torch.manual_seed(7)
HEIGHT, WIDTH = 64, 96


def seed_parameters(module):
    """Random conv weights as strided views of small storages; random biases and batch-norm statistics."""
    for name, m in module.named_modules():
        if isinstance(m, nn.Conv2d):
            o, i, kh, kw = m.weight.shape
            strides = (1, 2, 3, 5)
            size = (o - 1) * strides[0] + (i - 1) * strides[1] + (kh - 1) * strides[2] + (kw - 1) * strides[3] + 1
            offset = 3
            std = (0.7 / (i * kh * kw)) ** 0.5
            storage = torch.randn(size + offset) * std
            m.weight = nn.Parameter(torch.as_strided(storage, (o, i, kh, kw), strides, offset))
            if m.bias is not None:
                m.bias = nn.Parameter(torch.randn(o) * 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = 1.0 + 0.2 * torch.randn(c)
            m.bias.data = 0.1 * torch.randn(c)
            m.running_mean.data = 0.2 * torch.randn(c)
            m.running_var.data = 0.5 + torch.rand(c)
            m.num_batches_tracked.data = torch.tensor(17)


def state(module):
    # keep the strided views (state_dict() would also keep them: tensors share their storage, not copies)
    return {k: v for k, v in module.state_dict(keep_vars=False).items()}


encoder, pose_encoder = Encoder(1), Encoder(2)
depth, pose = DepthDecoder(encoder.channels), PoseDecoder(pose_encoder.channels)
for m in (encoder, pose_encoder, depth, pose):
    seed_parameters(m)
    m.eval()

enc_state = state(encoder)
enc_state.update({"height": HEIGHT, "width": WIDTH, "use_stereo": False})
torch.save(enc_state, "encoder.pth")
torch.save(state(depth), "depth.pth")
torch.save(state(pose_encoder), "pose_encoder.pth")
torch.save(state(pose), "pose.pth")

images = torch.rand(2, 3, HEIGHT, WIDTH)
with torch.no_grad():
    disps, feats = depth(encoder(images))
    axisangle, translation = pose(pose_encoder(torch.cat([images[0:1], images[1:2]], 1)))

np.save("input.npy", images.numpy().astype(np.float32))
for s in range(4):
    np.save(f"disp_{s}.npy", disps[s].numpy().astype(np.float32))
np.save("feature_3.npy", feats[3].numpy().astype(np.float32))
np.save("feature_sums.npy", np.array([feats[s].double().sum().item() for s in (1, 2, 3)], dtype=np.float64))
np.save("axisangle.npy", axisangle.numpy().astype(np.float32))
np.save("translation.npy", translation.numpy().astype(np.float32))

# A depth.pth with one key misspelt, for the import's error message.
bad = state(depth)
bad["decoder.3.conv.conv.weights"] = bad.pop("decoder.3.conv.conv.weight")
torch.save(bad, "depth_renamed_key.pth")
