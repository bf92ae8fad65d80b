"""How validation error falls as the training rows grow: a power law fitted to a learning curve, and
the training rows it predicts for a target accuracy."""
import math

import numpy as np


def power_law_fit(rows, accuracies):
    """Least-squares fit of error = scale * rows ** -exponent in log-log space. Returns scale, exponent and
    the error a doubling of the rows multiplies by (2 ** -exponent)."""
    if len(rows) < 2 or len(set(rows)) < 2:
        raise ValueError("a learning curve needs at least two different row counts")
    errors = 1.0 - np.asarray(accuracies, dtype=float)
    if (errors <= 0).any():
        raise ValueError("a point without errors has no place on a power law of the error")
    slope, intercept = np.polyfit(np.log(np.asarray(rows, dtype=float)), np.log(errors), 1)
    return {"scale": float(math.exp(intercept)), "exponent": float(-slope), "error_per_doubling": float(2.0 ** slope)}


def predicted_accuracy(fit, rows):
    return 1.0 - fit["scale"] * rows ** -fit["exponent"]


def rows_for_accuracy(fit, target):
    """Training rows at which the fitted curve reaches `target`; None when the error does not fall with rows."""
    if fit["exponent"] <= 0:
        return None
    return (fit["scale"] / (1.0 - target)) ** (1.0 / fit["exponent"])
