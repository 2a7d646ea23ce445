#!/usr/bin/env python3
"""Golden fixture for the Java networks and checkpoint import.

Builds the monodepth2 architecture (written from the seed digest §2.0: torchvision-layout ResNet encoder, depth decoder
with reflection-padded 3x3 convs + ELU, nearest upsampling and skips, sigmoid heads; pose decoder squeeze/3x3/3x3/1x1,
spatial mean x 0.01) in the `lite` width (base width 16, one block per stage), seeds every parameter and batch-norm
statistic, saves the four checkpoint files monodepth2 uses, runs a fixed input through the networks in eval mode and
saves the outputs.

Every conv weight is stored as a strided view (torch.as_strided) of a small random storage: that keeps the checkpoint
files small (~0.5 MB instead of ~12 MB) and makes the Java reader honour storage offsets and strides.

Run: /usr/bin/python3 generate.py (from this folder; Debian's python3-torch 1.13).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
HEIGHT, WIDTH = 64, 96
BASE, BLOCKS = 16, [1, 1, 1, 1]


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, images):
        super().__init__()
        self.conv1 = nn.Conv2d(3 * images, BASE, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(BASE)
        inplanes = BASE
        for stage, blocks in enumerate(BLOCKS, start=1):
            planes = BASE << (stage - 1)
            layers = []
            for b in range(blocks):
                layers.append(BasicBlock(inplanes, planes, 2 if (b == 0 and stage > 1) else 1))
                inplanes = planes
            setattr(self, f"layer{stage}", nn.Sequential(*layers))


class Encoder(nn.Module):
    def __init__(self, images):
        super().__init__()
        self.encoder = ResNet(images)
        self.channels = [BASE, BASE, BASE * 2, BASE * 4, BASE * 8]

    def forward(self, x):
        e = self.encoder
        x = (x - 0.45) / 0.225
        f = [F.relu(e.bn1(e.conv1(x)))]
        f.append(e.layer1(F.max_pool2d(f[-1], 3, 2, 1)))
        f.append(e.layer2(f[-1]))
        f.append(e.layer3(f[-1]))
        f.append(e.layer4(f[-1]))
        return f


class Conv3x3(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.pad = nn.ReflectionPad2d(1)
        self.conv = nn.Conv2d(cin, cout, 3)

    def forward(self, x):
        return self.conv(self.pad(x))


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = Conv3x3(cin, cout)

    def forward(self, x):
        return F.elu(self.conv(x))


class DepthDecoder(nn.Module):
    DEC = [16, 32, 64, 128, 256]

    def __init__(self, enc):
        super().__init__()
        self.up = {}
        modules = []
        for i in range(4, -1, -1):
            cin = enc[-1] if i == 4 else self.DEC[i + 1]
            self.up[(i, 0)] = ConvBlock(cin, self.DEC[i])
            self.up[(i, 1)] = ConvBlock(self.DEC[i] + (enc[i - 1] if i > 0 else 0), self.DEC[i])
            modules += [self.up[(i, 0)], self.up[(i, 1)]]
        self.disp = {s: Conv3x3(self.DEC[s], 1) for s in range(4)}
        modules += [self.disp[s] for s in range(4)]
        self.decoder = nn.ModuleList(modules)

    def forward(self, f):
        out, feats = {}, {}
        x = f[-1]
        for i in range(4, -1, -1):
            x = self.up[(i, 0)](x)
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            if i > 0:
                x = torch.cat([x, f[i - 1]], 1)
            x = self.up[(i, 1)](x)
            feats[i] = x
            if i < 4:
                out[i] = torch.sigmoid(self.disp[i](x))
        return out, feats


class PoseDecoder(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.net = nn.ModuleList([nn.Conv2d(enc[-1], 256, 1), nn.Conv2d(256, 256, 3, 1, 1),
                                  nn.Conv2d(256, 256, 3, 1, 1), nn.Conv2d(256, 12, 1)])

    def forward(self, f):
        x = F.relu(self.net[0](f[-1]))
        x = F.relu(self.net[1](x))
        x = F.relu(self.net[2](x))
        x = self.net[3](x).mean(3).mean(2)
        x = 0.01 * x.view(-1, 2, 1, 6)
        return x[:, 0, 0, :3], x[:, 0, 0, 3:]


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
