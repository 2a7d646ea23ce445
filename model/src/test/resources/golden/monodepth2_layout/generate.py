#!/usr/bin/env python3
"""Golden checkpoints laid out key for key as monodepth2's training writes them, for ResNet-18 and ResNet-50.

monodepth2's encoder module keeps a whole torchvision ResNet as its `encoder` attribute, so its state dict holds the
ImageNet classifier (`encoder.fc.weight`, `encoder.fc.bias`) and every batch norm's `num_batches_tracked`, which the
forward pass never uses; for the pose encoder (two stacked images) the stem conv takes 6 channels. The checkpoint
files are each module's whole state_dict(), and encoder.pth adds `height`, `width` and `use_stereo`. This generator
builds the encoders from torchvision's own ResNet classes (so key names, key order and shapes are torchvision's) and
reuses the decoders of ../monodepth2/reference_nets.py; it then saves PyTorch's eval-mode outputs on a fixed input.

Small files: in each checkpoint every float tensor is a view (torch.as_strided) of ONE float32 storage of a few ten
thousand elements, and every num_batches_tracked a view of one int64 storage; torch.save writes each storage once.
- encoder conv weights and the classifier are strided views of one shared noise region (at random offsets);
- batch-norm weights and biases are views of small regions around 1 and 0, except the last batch norm of each
  residual branch, whose weights come from a region around 0.3: the residual stream stays dominated by its identity
  path, as in a trained ResNet; with full-strength random branches float32 rounding grew about 3x per stage and
  ResNet-50's float32 outputs were 1e-4 (relative) from float64 ones instead of about 1e-6;
- batch-norm running statistics get their own region and are measured (a train-mode pass with cumulative averaging
  over a calibration batch), so that eval-mode activations neither explode nor vanish through 50 layers;
- each decoder conv has its own region, rescaled and re-centred on the calibration batch so that every
  pre-activation has zero mean and unit spread per channel: disparities spread over (0, 1) instead of saturating.

Run: /usr/bin/python3 generate.py (from this folder; Debian's python3-torch 1.13 + torchvision 0.14).
Writes resnet18/ and resnet50/: encoder.pth, depth.pth, pose_encoder.pth, pose.pth, input.npy (2x3x64x96 in [0, 1]),
disp_0..3.npy (eval-mode sigmoid disparities), axisangle.npy and translation.npy (pose of image 0 -> image 1);
resnet18/ also files the import must refuse: encoder_extra_fc_key.pth (encoder.pth plus one more `encoder.fc.*` key),
depth_with_classifier.pth (depth.pth plus `encoder.fc.weight`) and depth_with_counter.pth (depth.pth plus a
`num_batches_tracked` where the decoder has no batch norm).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "monodepth2"))
from reference_nets import DepthDecoder, PoseDecoder  # noqa: E402

HEIGHT, WIDTH = 64, 96
NOISE = 8192        # the shared region of encoder conv and classifier weights
AFFINE = 2048 + 256  # the batch-norm weight and bias regions: the widest batch norm plus room for offsets
CONV_STRIDES = (1, 2, 3, 5)


class TorchvisionEncoder(nn.Module):
    """A whole torchvision ResNet as `encoder` (classifier included); forward returns the five feature maps."""

    def __init__(self, layers, images):
        super().__init__()
        self.encoder = {18: torchvision.models.resnet18, 50: torchvision.models.resnet50}[layers]()
        if images > 1:
            # two stacked RGB frames: only the stem's input channels change
            self.encoder.conv1 = nn.Conv2d(3 * images, 64, 7, 2, 3, bias=False)
        expansion = 4 if layers == 50 else 1
        self.channels = [64] + [64 * expansion << s for s in range(4)]

    def forward(self, x):
        e = self.encoder
        x = (x - 0.45) / 0.225
        features = [F.relu(e.bn1(e.conv1(x)))]
        features.append(e.layer1(e.maxpool(features[-1])))
        for layer in (e.layer2, e.layer3, e.layer4):
            features.append(layer(features[-1]))
        return features


def strided_extent(shape, strides):
    return 1 + sum((n - 1) * s for n, s in zip(shape, strides))


class SharedStorage:
    """Lays out one float storage for a module's tensors; tensors are installed as views of it."""

    def __init__(self, generator):
        self.g = generator
        self.regions = []  # (offset, values) filled into the storage by build()
        self.size = 0

    def region(self, values):
        offset = self.size
        self.regions.append((offset, values))
        self.size += values.numel()
        return offset

    def build(self):
        self.storage = torch.empty(self.size)
        for offset, values in self.regions:
            self.storage[offset:offset + values.numel()] = values
        return self.storage

    def view(self, shape, strides, offset):
        return torch.as_strided(self.storage, tuple(shape), tuple(strides), offset)


def contiguous_strides(shape):
    strides, step = [], 1
    for n in reversed(shape):
        strides.insert(0, step)
        step *= n
    return strides


def install(module, name, tensor):
    """Replaces a parameter or buffer by `tensor` itself (not a copy), so the state dict keeps the view."""
    if name in module._parameters:
        module._parameters[name] = nn.Parameter(tensor, requires_grad=False)
    else:
        module._buffers[name] = tensor


def viewify_encoder(encoder, g):
    """Every tensor of a TorchvisionEncoder becomes a view of one float storage (one int64 storage for counters)."""
    shared = SharedStorage(g)
    noise = shared.region(torch.randn(NOISE, generator=g))
    gamma = shared.region(1.0 + 0.2 * torch.randn(AFFINE, generator=g))
    damped = shared.region(0.3 * (1.0 + 0.2 * torch.randn(AFFINE, generator=g)))
    beta = shared.region(0.1 * torch.randn(AFFINE, generator=g))
    norms = [m for m in encoder.modules() if isinstance(m, nn.BatchNorm2d)]
    branch_ends = {id(block.bn3 if isinstance(block, Bottleneck) else block.bn2)
                   for block in encoder.modules() if isinstance(block, (BasicBlock, Bottleneck))}
    stats = shared.region(torch.zeros(2 * sum(m.num_features for m in norms)))
    storage = shared.build()

    def noise_view(shape):
        strides = CONV_STRIDES[:len(shape)]
        extent = strided_extent(shape, strides)
        assert extent <= NOISE, (shape, extent)
        start = int(torch.randint(0, NOISE - extent + 1, (1,), generator=g))
        return shared.view(shape, strides, noise + start)

    def affine_view(region, channels):
        start = int(torch.randint(0, AFFINE - channels + 1, (1,), generator=g))
        return shared.view((channels,), (1,), region + start)

    for m in encoder.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            install(m, "weight", noise_view(m.weight.shape))
            if m.bias is not None:  # only the classifier has a bias
                install(m, "bias", noise_view(m.bias.shape))
    position = stats
    for m in norms:
        c = m.num_features
        install(m, "weight", affine_view(damped if id(m) in branch_ends else gamma, c))
        install(m, "bias", affine_view(beta, c))
        install(m, "running_mean", shared.view((c,), (1,), position))
        install(m, "running_var", shared.view((c,), (1,), position + c))
        position += 2 * c
    return storage, norms


def calibrate_norms(encoder, norms, batch):
    """Running statistics := the calibration batch's statistics, written in place into the shared storage."""
    for m in norms:
        m.running_mean.zero_()
        m.running_var.fill_(1.0)
        m.num_batches_tracked = torch.tensor(0)
        m.momentum = None  # cumulative average: after one batch, exactly that batch's statistics
    encoder.train()
    with torch.no_grad():
        encoder(batch)
    encoder.eval()
    for m in norms:
        m.momentum = 0.1
    # one int64 storage for every counter, as a trained model would have some count in each
    counters = torch.full((1,), 17, dtype=torch.int64)
    for m in norms:
        install(m, "num_batches_tracked", torch.as_strided(counters, (), (), 0))


def viewify_decoder(decoder, g):
    """Each conv's weight and bias become views of their own region of one storage (regions rescale per conv)."""
    shared = SharedStorage(g)
    layout = []
    for m in decoder.modules():
        if isinstance(m, nn.Conv2d):
            shape = tuple(m.weight.shape)
            extent = strided_extent(shape, CONV_STRIDES)
            w = shared.region(torch.randn(extent, generator=g) * (1.0 / (shape[1] * shape[2] * shape[3])) ** 0.5)
            b = shared.region(0.02 * torch.randn(shape[0], generator=g))
            layout.append((m, shape, w, extent, b))
    storage = shared.build()
    for m, shape, w, extent, b in layout:
        install(m, "weight", shared.view(shape, CONV_STRIDES, w))
        install(m, "bias", shared.view((shape[0],), (1,), b))
    return storage, {m: (w, extent, b) for m, _, w, extent, b in layout}


def calibrate_convs(decoder, regions, storage, run):
    """Rescales and re-centres each conv in forward order so its output has zero mean and unit spread per channel
    on the calibration batch (by editing its storage regions in place); later convs see the corrected outputs."""

    def hook(module, inputs, output):
        w, extent, b = regions[module]
        mean = output.mean(dim=(0, 2, 3))
        scale = 1.0 / output.std().clamp_min(1e-6)
        storage[w:w + extent] *= scale
        storage[b:b + mean.numel()] = (storage[b:b + mean.numel()] - mean) * scale
        return (output - mean.view(1, -1, 1, 1)) * scale

    handles = [m.register_forward_hook(hook) for m in regions]
    with torch.no_grad():
        run()
    for h in handles:
        h.remove()


def save(state, path):
    torch.save(state, path)
    return os.path.getsize(path)


def generate(layers, seed):
    out = os.path.join(HERE, f"resnet{layers}")
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    calibration = torch.rand(4, 3, HEIGHT, WIDTH, generator=g)
    images = torch.rand(2, 3, HEIGHT, WIDTH, generator=g)
    pairs = torch.cat([calibration[0:2], calibration[2:4]], 1)
    pair = torch.cat([images[0:1], images[1:2]], 1)

    encoder, pose_encoder = TorchvisionEncoder(layers, 1), TorchvisionEncoder(layers, 2)
    depth, pose = DepthDecoder(encoder.channels), PoseDecoder(pose_encoder.channels)
    for enc, batch in ((encoder, calibration), (pose_encoder, pairs)):
        _, norms = viewify_encoder(enc, g)
        calibrate_norms(enc, norms, batch)
    depth_storage, depth_regions = viewify_decoder(depth, g)
    pose_storage, pose_regions = viewify_decoder(pose, g)
    for m in (encoder, pose_encoder, depth, pose):
        m.eval()
    with torch.no_grad():
        calibration_features = encoder(calibration)
        pair_features = pose_encoder(pairs)
    calibrate_convs(depth, depth_regions, depth_storage, lambda: depth(calibration_features))
    calibrate_convs(pose, pose_regions, pose_storage, lambda: pose(pair_features))

    # exactly what monodepth2's save_model writes: each module's whole state dict, encoder.pth with the size
    encoder_state = encoder.state_dict()
    encoder_state.update({"height": HEIGHT, "width": WIDTH, "use_stereo": False})
    sizes = {
        "encoder.pth": save(encoder_state, os.path.join(out, "encoder.pth")),
        "depth.pth": save(depth.state_dict(), os.path.join(out, "depth.pth")),
        "pose_encoder.pth": save(pose_encoder.state_dict(), os.path.join(out, "pose_encoder.pth")),
        "pose.pth": save(pose.state_dict(), os.path.join(out, "pose.pth")),
    }
    assert "encoder.fc.weight" in encoder_state and "encoder.bn1.num_batches_tracked" in encoder_state

    with torch.no_grad():
        disps, _ = depth(encoder(images))
        axisangle, translation = pose(pose_encoder(pair))
    np.save(os.path.join(out, "input.npy"), images.numpy().astype(np.float32))
    for s in range(4):
        np.save(os.path.join(out, f"disp_{s}.npy"), disps[s].numpy().astype(np.float32))
        d = disps[s]
        print(f"resnet{layers} disp_{s}: min {d.min():.4f} max {d.max():.4f} mean {d.mean():.4f} std {d.std():.4f}")
    np.save(os.path.join(out, "axisangle.npy"), axisangle.numpy().astype(np.float32))
    np.save(os.path.join(out, "translation.npy"), translation.numpy().astype(np.float32))
    print(f"resnet{layers} axisangle {axisangle.numpy()} translation {translation.numpy()}")

    if layers == 18:
        extra = encoder.state_dict()
        extra.update({"height": HEIGHT, "width": WIDTH, "use_stereo": False})
        extra["encoder.fc.scale"] = torch.ones(1)
        sizes["encoder_extra_fc_key.pth"] = save(extra, os.path.join(out, "encoder_extra_fc_key.pth"))
        # the classifier's keys are only known in the encoders' files, a batch counter only beside a batch norm
        misplaced = depth.state_dict()
        fc = encoder_state["encoder.fc.weight"].shape  # a view of its own small storage, not the encoder's
        misplaced["encoder.fc.weight"] = torch.as_strided(torch.randn(sum(fc) - 1, generator=g), fc, (1, 1), 0)
        sizes["depth_with_classifier.pth"] = save(misplaced, os.path.join(out, "depth_with_classifier.pth"))
        counter = depth.state_dict()
        counter["decoder.0.conv.num_batches_tracked"] = encoder_state["encoder.bn1.num_batches_tracked"]
        sizes["depth_with_counter.pth"] = save(counter, os.path.join(out, "depth_with_counter.pth"))
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"resnet{layers}: {sizes}, folder total {total} bytes")


if __name__ == "__main__":
    generate(18, 18)
    generate(50, 50)
