#!/usr/bin/env python3
"""Independent NumPy computation of KITTI Eigen ground truth for the shared fixture frames, written from the
procedure in shared/reference/engineering-notes.md (KITTI raw section), to check VelodyneGroundTruth.java.

Stores only small summaries (counts, range, sum, ~50 sampled pixels, and the pixels the duplicate step changed);
the KITTI data itself stays in shared/fixtures.
Run: /usr/bin/python3 generate.py [FIXTURES]   (default: ../../../../../../../shared/fixtures from this folder)
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, *[".."] * 7, "shared", "fixtures")
DATE_DIR = os.path.join(FIXTURES, "kitti_raw", "2011_09_26")
DRIVE = "2011_09_26_drive_0000_sync"


def read_keys(path):
    keys = {}
    with open(path) as f:
        for line in f:
            name, _, rest = line.partition(":")
            try:
                keys[name.strip()] = np.array([float(t) for t in rest.split()], dtype=np.float64)
            except ValueError:
                pass  # calib_time
    return keys


def ground_truth(cam, frame):
    c2c = read_keys(os.path.join(DATE_DIR, "calib_cam_to_cam.txt"))
    v2c = read_keys(os.path.join(DATE_DIR, "calib_velo_to_cam.txt"))
    width, height = (int(s) for s in c2c["S_rect_0%d" % cam])

    velo_to_cam = np.eye(4)
    velo_to_cam[:3, :3] = v2c["R"].reshape(3, 3)
    velo_to_cam[:3, 3] = v2c["T"]
    rect = np.eye(4)
    rect[:3, :3] = c2c["R_rect_00"].reshape(3, 3)
    proj = c2c["P_rect_0%d" % cam].reshape(3, 4) @ rect @ velo_to_cam

    scan = np.fromfile(os.path.join(DATE_DIR, DRIVE, "velodyne_points", "data", "%010d.bin" % frame),
                       dtype=np.float32).reshape(-1, 4)
    scan = scan[scan[:, 0] >= 0]
    homogeneous = np.concatenate([scan[:, :3].astype(np.float64), np.ones((len(scan), 1))], axis=1)
    image = homogeneous @ proj.T
    u = image[:, 0] / image[:, 2]
    v = image[:, 1] / image[:, 2]
    col = np.round(u) - 1  # numpy rounds ties to even
    row = np.round(v) - 1
    z = scan[:, 0].astype(np.float64)  # the Velodyne x is the stored depth
    inside = (col >= 0) & (row >= 0) & (col < width) & (row < height)
    col, row, z = col[inside].astype(np.int64), row[inside].astype(np.int64), z[inside]

    depth = np.zeros((height, width))
    for r, c, d in zip(row, col, z):  # explicit loop: later points overwrite earlier ones
        depth[r, c] = d
    last_write = depth.copy()

    groups = {}
    for k, key in enumerate(row * (width - 1) + col - 1):
        groups.setdefault(int(key), []).append(k)
    cross_row = 0
    for members in groups.values():
        if len(members) > 1:
            k0 = members[0]
            depth[row[k0], col[k0]] = min(z[k] for k in members)
            if len({(row[k], col[k]) for k in members}) > 1:
                cross_row += 1
    depth[depth < 0] = 0
    return depth, last_write, cross_row


def summary(cam, frame, rng):
    depth, last_write, cross_row = ground_truth(cam, frame)
    rows, cols = np.nonzero(depth)
    picks = rng.choice(len(rows), size=50, replace=False)
    changed_r, changed_c = np.nonzero(depth != last_write)
    return {
        "camera": cam,
        "frame": frame,
        "height": depth.shape[0],
        "width": depth.shape[1],
        "count": int(len(rows)),
        "min": float(depth[rows, cols].min()),
        "max": float(depth[rows, cols].max()),
        "sum": float(depth.sum()),
        "cross_row_groups": cross_row,
        "samples": [[int(rows[i]), int(cols[i]), float(depth[rows[i], cols[i]])] for i in sorted(picks)],
        "changed_by_min": [[int(r), int(c), float(depth[r, c]), float(last_write[r, c])]
                           for r, c in list(zip(changed_r, changed_c))[:20]],
        "changed_by_min_count": int(len(changed_r)),
    }


def main():
    rng = np.random.default_rng(20110926)
    out = [summary(cam, frame, rng) for cam, frame in [(2, 0), (2, 7), (3, 0)]]
    with open(os.path.join(HERE, "ground_truth.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
