#!/usr/bin/env python3
"""PyTorch eager (Python) side of `depthstream bench --python`: the monodepth2 architecture built independently
(model/src/test/resources/golden/monodepth2/reference_nets.py), timed the same way as the Java side.

Protocol, so the two sides can be interleaved round by round in one run: the script prints `ready` once the model is
built, then for every stdin line `depth BATCH ITERATIONS` or `depth+pose BATCH ITERATIONS` it runs that many forward
passes (input created from a float32 array, output copied back to a NumPy array, as the Java side does) and prints
the elapsed seconds. Arguments: --arch resnet18|lite --height H --width W --threads N.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "model", "src", "test", "resources", "golden", "monodepth2"))
from reference_nets import DepthDecoder, Encoder, PoseDecoder  # noqa: E402

LAYOUTS = {"resnet18": (64, (2, 2, 2, 2)), "lite": (16, (1, 1, 1, 1))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="resnet18", choices=sorted(LAYOUTS))
    parser.add_argument("--height", type=int, default=192)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    base, blocks = LAYOUTS[args.arch]
    encoder = Encoder(1, base, blocks).eval()
    depth = DepthDecoder(encoder.channels).eval()
    pose_encoder = Encoder(2, base, blocks).eval()
    pose = PoseDecoder(pose_encoder.channels).eval()
    for module in (encoder, depth, pose_encoder, pose):
        for m in module.modules():
            # the same initialisation as the Java side (and torchvision's ResNet): Kaiming-normal, fan-out
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    rng = np.random.default_rng(0)
    print(f"ready torch {torch.__version__} threads {torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        kind, batch, iterations = line.split()
        batch, iterations = int(batch), int(iterations)
        images = rng.random((batch, 3, args.height, args.width), dtype=np.float32)
        start = time.perf_counter()
        with torch.no_grad():
            for _ in range(iterations):
                x = torch.from_numpy(images.copy())
                disparity = depth(encoder(x))[0][0].numpy().copy()
                if kind == "depth+pose":
                    motion = pose(pose_encoder(torch.cat([x, x], 1)))
                    motion[0].numpy().copy()
                    motion[1].numpy().copy()
        elapsed = time.perf_counter() - start
        assert disparity.shape == (batch, 1, args.height, args.width)
        print(f"{elapsed:.6f}", flush=True)


if __name__ == "__main__":
    main()
