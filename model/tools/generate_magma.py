#!/usr/bin/env python3
"""Writes the 256-entry magma colour map (matplotlib's, CC0) as 8-bit RGB lines for DisparityColormap.
Run: /usr/bin/python3 tools/generate_magma.py (from model/; needs Debian's python3-matplotlib)."""
from matplotlib import cm

with open("src/main/resources/io/depthstream/model/io/magma.csv", "w") as f:
    for i in range(256):
        r, g, b, _ = cm.magma(i)
        f.write(f"{round(r * 255)},{round(g * 255)},{round(b * 255)}\n")
