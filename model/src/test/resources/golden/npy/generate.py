#!/usr/bin/env python3
"""Writes small .npy arrays with NumPy itself, so the Java reader is checked against the reference writer.
Run: /usr/bin/python3 generate.py (from this folder)."""
import numpy as np

np.save("f32_2x3.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
np.save("f64_vec.npy", np.array([1.5, -2.25, 1e-300], dtype=np.float64))
np.save("f32_scalar.npy", np.float32(7.0))
