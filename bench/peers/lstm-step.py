#!/usr/bin/python3
"""Twin of `Nabla.Bench lstm-step`: torch.nn.LSTM(64, 128, batch_first=True) training step (see recurrent_step.py)."""
import recurrent_step as r

r.run("lstm-step", lambda torch: torch.nn.LSTM(r.FEATURES, r.HIDDEN, batch_first=True))
