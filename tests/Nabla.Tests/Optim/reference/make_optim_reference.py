# Produces the PyTorch constants pasted into OptimizerReferenceTests.cs and Schedules/ScheduleTests.cs.
# Run: /usr/bin/python3 make_optim_reference.py   (python3-torch 1.13.1 from Debian)
# Problem: f(p) = ½·Σ a⊙(p − c)² over two float32 parameters, gradient a⊙(p − c), 5 steps.
import torch

A0 = [[1.0, 2.0], [0.5, 3.0]]; C0 = [[0.3, -0.2], [1.0, 0.5]]; P0 = [[1.0, -1.0], [0.5, 2.0]]
A1 = [0.8, 1.5, 4.0];          C1 = [0.0, 1.0, -0.5];            P1 = [-0.5, 0.25, 1.5]

def run(make):
    ps = [torch.tensor(P0, requires_grad=True), torch.tensor(P1, requires_grad=True)]
    a = [torch.tensor(A0), torch.tensor(A1)]
    c = [torch.tensor(C0), torch.tensor(C1)]
    opt = make(ps)
    for _ in range(5):
        opt.zero_grad()
        loss = sum((0.5 * ai * (p - ci) ** 2).sum() for p, ai, ci in zip(ps, a, c))
        loss.backward()
        opt.step()
    return [v for p in ps for v in p.detach().reshape(-1).tolist()]

cases = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "sgd_momentum_dampening_wd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov_wd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adagrad": lambda ps: torch.optim.Adagrad(ps, lr=0.1),
    "adagrad_decay_wd_init": lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1),
    "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.01),
    "rmsprop_centered_momentum_wd": lambda ps: torch.optim.RMSprop(ps, lr=0.01, momentum=0.9, centered=True, weight_decay=0.01),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.1),
    "adam_wd_amsgrad": lambda ps: torch.optim.Adam(ps, lr=0.1, weight_decay=0.01, amsgrad=True),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.1),
    "adamw_wd_amsgrad": lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.1, amsgrad=True),
}
for name, make in cases.items():
    print(f'[InlineData("{name}", new[] {{ ' + ", ".join(f"{v:.8f}" for v in run(make)) + " })]")

def lrs(make_sched, epochs=12, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    s = make_sched(opt)
    out = []
    for e in range(epochs):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        if metrics is None: s.step()
        else: s.step(metrics[e])
    return out

def show(name, xs): print(name, ", ".join(f"{v:.8f}" for v in xs))
show("steplr_3_0.5", lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5)))
show("exponential_0.9", lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)))
show("cosine_5_0.1", lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 5, 0.1)))
metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85]
show("plateau_min_p2_f0.5_cd1", lrs(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, "min", factor=0.5, patience=2, cooldown=1, min_lr=0.1), 15, metrics))
show("plateau_max_p1", lrs(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, "max", factor=0.1, patience=1), 8, [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7]))
