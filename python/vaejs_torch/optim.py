"""The optimizers vaejs trains with (`fit`'s `optimizer`: tfjs' adam, rmsprop and sgd with their defaults), as torch
optimizers that take the same steps, and their state mapped to and from tfjs' slots.

- adam: torch.optim.Adam with tfjs' ε = 1e-7 (torch's default is 1e-8). Both bias-correct with β^t at step t:
  tfjs keeps β^t as `accBeta1`/`accBeta2` (built by repeated multiplication), torch recomputes it from `step`.
- rmsprop: tfjs' RMSProp (decay 0.9, momentum 0, ε = 1e-7 inside the square root: g / √(ms + ε)), which is not
  torch's (ε outside the root, α = 0.99): `TfjsRmsprop` below takes tfjs' step.
- sgd: torch.optim.SGD.

Slots are tensors in the layout of their weight: a slot of `enc_conv_0/kernel` is [kh, kw, in, out] in the folder
and [out, in, kh, kw] in torch, mapped by the model's own `load_tfjs` / `tfjs_weights` (see `SlotLayout`).
"""
import copy

import torch

SLOTS = {"adam": ("m", "v"), "rmsprop": ("rms", "momentum"), "sgd": ()}
BETAS, EPSILON = (0.9, 0.999), 1e-7


class TfjsRmsprop(torch.optim.Optimizer):
    """tfjs' RMSPropOptimizer (not centred): ms ← ρ·ms + (1 − ρ)·g²; mom ← μ·mom + lr·g / √(ms + ε); w ← w − mom."""

    def __init__(self, params, lr, decay=0.9, momentum=0.0, eps=EPSILON):
        super().__init__(params, {"lr": lr, "decay": decay, "momentum": momentum, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["rms"], state["momentum"] = torch.zeros_like(p), torch.zeros_like(p)
                rms, moment = state["rms"], state["momentum"]
                rms.mul_(group["decay"]).addcmul_(p.grad, p.grad, value=1 - group["decay"])
                moment.mul_(group["momentum"]).add_(p.grad * group["lr"] / torch.sqrt(rms + group["eps"]))
                p.sub_(moment)


def build_optimizer(name, parameters, learning_rate):
    if name == "adam":
        return torch.optim.Adam(parameters, lr=learning_rate, betas=BETAS, eps=EPSILON)
    if name == "rmsprop":
        return TfjsRmsprop(parameters, lr=learning_rate)
    return torch.optim.SGD(parameters, lr=learning_rate)


class SlotLayout:
    """Maps tensors shaped like the model's trainable weights between the tfjs layout (by tfjs name) and torch's (by
    parameter): a copy of the model loads them as if they were weights (`load_tfjs`), or gives them back
    (`tfjs_weights`), so every slot takes exactly the path its weight takes."""

    def __init__(self, model):
        self.model = model
        self.shadow = copy.deepcopy(model)
        self.base = model.tfjs_weights()
        self.trainable = model.tfjs_trainable_names()
        # which parameter each tfjs name lands in: load the index + 1 as every value, and read it back
        marks = {name: torch.full_like(self.base[name], float(i + 1)) for i, name in enumerate(self.trainable)}
        self.shadow.load_tfjs({**self.base, **marks})
        by_name = dict(model.named_parameters())
        self.parameter_of = {}
        for parameter_name, shadow in self.shadow.named_parameters():
            values = shadow.detach().unique()
            if shadow.requires_grad and len(values) == 1 and 1 <= values.item() <= len(self.trainable):
                self.parameter_of[self.trainable[int(values.item()) - 1]] = (parameter_name, by_name[parameter_name])
        missing = [name for name in self.trainable if name not in self.parameter_of]
        if missing:
            raise RuntimeError(f"SlotLayout: expected a parameter for every trainable tensor, got none for '{missing[0]}'.")

    def to_torch(self, tensors):
        """{tfjs name: tensor in tfjs layout} (trainable names) → {parameter: tensor in torch layout}."""
        with torch.no_grad():
            self.shadow.load_tfjs({**self.base, **tensors})
            shadow = dict(self.shadow.named_parameters())
            return {self.parameter_of[name][1]: shadow[self.parameter_of[name][0]].detach().clone() for name in tensors}

    def to_tfjs(self, tensors):
        """{parameter: tensor in torch layout} → {tfjs name: tensor in tfjs layout}."""
        by_parameter = {id(parameter): name for name, (_, parameter) in self.parameter_of.items()}
        with torch.no_grad():
            shadow = dict(self.shadow.named_parameters())
            for parameter, value in tensors.items():
                shadow[self.parameter_of[by_parameter[id(parameter)]][0]].copy_(value)
            out = self.shadow.tfjs_weights()
        # copies: a weight that keeps its layout comes back as a view of the shadow, which the next call overwrites
        return {by_parameter[id(parameter)]: out[by_parameter[id(parameter)]].clone() for parameter in tensors}


def load_slots(optimizer, name, layout, slots, order):
    """Sets tfjs slots (`iter`, `<weight>/<slot>`, …) into a torch optimizer; returns tfjs' step count (`iter`)."""
    iterations = int(slots["iter"].item()) if "iter" in slots else 0
    for suffix in SLOTS[name]:
        for weight, value in layout.to_torch({w: slots[f"{w}/{suffix}"] for w in order}).items():
            state = optimizer.state[weight]
            key = {"m": "exp_avg", "v": "exp_avg_sq"}.get(suffix, suffix)
            state[key] = value.to(weight.device)
            if name == "adam":
                state["step"] = torch.tensor(float(iterations))
    return iterations


def export_slots(optimizer, name, layout, iterations):
    """The torch optimizer's state as tfjs slots, and the order of the weights (vaejs' trainable order)."""
    order = [w for w in layout.trainable if optimizer.state.get(layout.parameter_of[w][1])]
    slots = {"iter": torch.tensor(iterations, dtype=torch.int32)}
    for suffix in SLOTS[name]:
        key = {"m": "exp_avg", "v": "exp_avg_sq"}.get(suffix, suffix)
        values = {layout.parameter_of[w][1]: optimizer.state[layout.parameter_of[w][1]][key].detach().cpu() for w in order}
        slots.update({f"{w}/{suffix}": value for w, value in layout.to_tfjs(values).items()})
    if name == "adam":
        # β^(t+1): what tfjs' accBeta holds after t steps (it multiplies in float32; the power differs in the last bit)
        slots["vaejs-optimizer/accBeta1"] = torch.tensor(BETAS[0] ** (iterations + 1), dtype=torch.float32)
        slots["vaejs-optimizer/accBeta2"] = torch.tensor(BETAS[1] ** (iterations + 1), dtype=torch.float32)
    return slots, order
