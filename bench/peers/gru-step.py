#!/usr/bin/python3
"""Twin of `Nabla.Bench gru-step`: torch.nn.GRU(64, 128, batch_first=True) training step (see recurrent_step.py)."""
import recurrent_step as r

r.run("gru-step", lambda torch: torch.nn.GRU(r.FEATURES, r.HIDDEN, batch_first=True))
