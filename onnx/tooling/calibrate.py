"""Activation ranges for static int8: the input range of every Linear layer of a torch model, over
the real tokens of calibration texts.

Padding positions are left out: attention masks them as keys and mean pooling skips them, so what a
quantizer does to them never reaches a real token's output, while their values would widen the
ranges that real tokens are quantized with.
"""
import numpy as np
import torch
from torch import nn

import train


class LinearRange:
    """One Linear layer's weight in ONNX layout [in, out] and the [low, high] its inputs spanned."""

    def __init__(self, weight, low, high):
        self.weight, self.low, self.high = weight, low, high


@torch.no_grad()
def linear_input_ranges(model, token_ids, batch_size=64):
    """A LinearRange for every nn.Linear of model, from one forward pass over token_ids.

    Ranges always include 0, so that the quantized zero is exact (padding and masked values stay 0).
    """
    linears = _linears(model)
    low = {id(m): 0.0 for m in linears}
    high = {id(m): 0.0 for m in linears}

    def record(module, x):
        low[id(module)] = min(low[id(module)], float(x.min()))
        high[id(module)] = max(high[id(module)], float(x.max()))

    _visit_linear_inputs(model, token_ids, record, batch_size)
    return [LinearRange(m.weight.detach().cpu().numpy().T.copy(), low[id(m)], high[id(m)]) for m in linears]


@torch.no_grad()
def fraction_beyond(model, token_ids, ranges, batch_size=64):
    """The share of the Linear layers' input values (real tokens of token_ids) outside ranges, the
    LinearRanges of this model: what static int8 saturates on texts it was not calibrated on."""
    bounds = {id(m): (r.low, r.high) for m, r in zip(_linears(model), ranges)}
    counts = {"beyond": 0, "all": 0}

    def count(module, x):
        low, high = bounds[id(module)]
        counts["beyond"] += int(((x < low) | (x > high)).sum())
        counts["all"] += x.numel()

    _visit_linear_inputs(model, token_ids, count, batch_size)
    return counts["beyond"] / max(counts["all"], 1)


def _linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def _visit_linear_inputs(model, token_ids, visit, batch_size):
    """visit(linear, input values of real tokens) for every nn.Linear call of a forward pass over token_ids."""
    model.eval()
    current = {}

    def hook(module, inputs, _output):
        x = inputs[0]
        visit(module, x[current["mask"].bool()] if x.dim() == 3 else x)

    hooks = [m.register_forward_hook(hook) for m in _linears(model)]
    try:
        order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
        for start in range(0, len(order), batch_size):
            ids, mask = train.collate(token_ids, order[start : start + batch_size])
            current["mask"] = mask
            model(ids, mask)
    finally:
        for hook in hooks:
            hook.remove()


def range_for_weight(ranges, weight):
    """The (low, high) calibrated for the Linear whose ONNX weight [in, out] is exactly weight."""
    matches = [r for r in ranges if r.weight.shape == weight.shape and np.array_equal(r.weight, weight)]
    if len(matches) != 1:
        raise ValueError(f"{len(matches)} calibrated Linear layers match a weight of shape {weight.shape}")
    return matches[0].low, matches[0].high
