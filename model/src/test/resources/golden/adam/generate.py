#!/usr/bin/env python3
"""Adam golden outputs from torch.optim.Adam (no weight decay, amsgrad off): two parameters of different shapes
and magnitudes, given gradients, a learning-rate change after step 3 (as an epoch-boundary schedule sets it), and a
second parameter that first receives a gradient at step 2, so its bias correction counts its own steps.
Run: /usr/bin/python3 generate.py (from this folder)."""
import json

import numpy as np
import torch

torch.manual_seed(11)
STEPS = 6
BETAS = (0.9, 0.999)
EPS = 1e-8
RATES = [1e-2, 1e-2, 1e-2, 3e-3, 3e-3, 3e-3]
FIRST_STEP = {"a": 0, "b": 2}

a = torch.randn(3, 4)
b = (torch.randn(5) * 4.0)
np.save("a_initial.npy", a.numpy())
np.save("b_initial.npy", b.numpy())
params = {"a": a.clone().requires_grad_(True), "b": b.clone().requires_grad_(True)}
optimizer = torch.optim.Adam(params.values(), lr=RATES[0], betas=BETAS, eps=EPS, foreach=False)

for step in range(STEPS):
    for group in optimizer.param_groups:
        group["lr"] = RATES[step]
    optimizer.zero_grad(set_to_none=True)
    for name, p in params.items():
        if step >= FIRST_STEP[name]:
            # gradients spanning several orders of magnitude, some negative, one exactly zero
            g = torch.randn(p.shape) * (10.0 ** (step % 3 - 1))
            g.view(-1)[0] = 0.0
            p.grad = g
            np.save(f"{name}_gradient_{step}.npy", g.numpy())
    optimizer.step()
    for name, p in params.items():
        np.save(f"{name}_after_{step}.npy", p.detach().numpy())
        state = optimizer.state[p]
        if state:
            np.save(f"{name}_first_moment_{step}.npy", state["exp_avg"].numpy())
            np.save(f"{name}_second_moment_{step}.npy", state["exp_avg_sq"].numpy())

with open("cases.json", "w") as f:
    json.dump({"steps": STEPS, "beta1": BETAS[0], "beta2": BETAS[1], "epsilon": EPS, "rates": RATES,
               "firstStep": FIRST_STEP}, f, indent=1)
