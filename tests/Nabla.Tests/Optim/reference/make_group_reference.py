# Produces the PyTorch constants pasted into ../ChainReferenceTests.cs: parameter groups with their
# own lr and weight_decay, and gradient clipping before the step.
# Run: /usr/bin/python3 make_group_reference.py   (python3-torch 1.13.1 from Debian)
# Problem (as make_optim_reference.py): f(p) = ½·Σ a⊙(p − c)² over two float32 parameters, 5 steps.
import torch

A0 = [[1.0, 2.0], [0.5, 3.0]]; C0 = [[0.3, -0.2], [1.0, 0.5]]; P0 = [[1.0, -1.0], [0.5, 2.0]]
A1 = [0.8, 1.5, 4.0];          C1 = [0.0, 1.0, -0.5];            P1 = [-0.5, 0.25, 1.5]

def run(make, before_step=lambda ps: None):
    ps = [torch.tensor(P0, requires_grad=True), torch.tensor(P1, requires_grad=True)]
    a = [torch.tensor(A0), torch.tensor(A1)]
    c = [torch.tensor(C0), torch.tensor(C1)]
    opt = make(ps)
    for _ in range(5):
        opt.zero_grad()
        loss = sum((0.5 * ai * (p - ci) ** 2).sum() for p, ai, ci in zip(ps, a, c))
        loss.backward()
        before_step(ps)
        opt.step()
    return [v for p in ps for v in p.detach().reshape(-1).tolist()]

clip_norm = lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1.0)
clip_value = lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.5)
cases = {
    "sgd_groups": (lambda ps: torch.optim.SGD([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.05, "weight_decay": 0.2}],
                                              lr=0.1, momentum=0.9, weight_decay=0.01), None),
    "rmsprop_groups": (lambda ps: torch.optim.RMSprop([{"params": [ps[0]], "lr": 0.03}, {"params": [ps[1]], "weight_decay": 0.1}],
                                                      lr=0.01, momentum=0.5, centered=True), None),
    "adam_groups": (lambda ps: torch.optim.Adam([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.01, "weight_decay": 0.1}], lr=0.1), None),
    "adamw_groups": (lambda ps: torch.optim.AdamW([{"params": [ps[0]], "weight_decay": 0.0}, {"params": [ps[1]]}], lr=0.1, weight_decay=0.1), None),
    "adam_clip_grad_norm": (lambda ps: torch.optim.Adam(ps, lr=0.1), clip_norm),
    "sgd_momentum_clip_grad_value": (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), clip_value),
}
for name, (make, hook) in cases.items():
    values = run(make, hook) if hook else run(make)
    print(f'[InlineData("{name}", new[] {{ ' + ", ".join(f"{v:.8f}" for v in values) + " })]")
