"""Class-weighted multinomial logistic regression with numpy: the trainer both shipped models use.

`benchmarks/train_stance.py` (the FNC-1 stance model) and `benchmarks/train_matcher.py` (the matcher's
calibrator) fit the same model; only the penalty, the iterations and what the weights are wrapped in differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MOMENTUM = 0.9


@dataclass(frozen=True)
class SoftmaxFit:
    """Standardisation and weights of a fitted regression (weights are features × classes)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    bias: np.ndarray


def class_weights(y: np.ndarray, k: int, balance: float) -> np.ndarray:
    """Per-example weights (share of the largest class / share of the example's class) ** balance."""
    counts = np.bincount(y, minlength=k).astype(float)
    return ((counts.max() / np.maximum(counts, 1)) ** balance)[y]


def fit_softmax_regression(
    x: np.ndarray, y: np.ndarray, k: int, *, penalty: float, iterations: int, step: float,
    sample_weight: np.ndarray | None = None, standardised: int | None = None,
) -> SoftmaxFit:
    """Fit on standardised features by full-batch gradient descent with momentum and an L2 penalty.

    With `standardised`, only the first that many columns are standardised; the rest (0/1 term indicators, which
    must stay sparse at run time) are used as they are: their mean is 0 and their scale 1 in the fit.
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if standardised is not None:
        mean[standardised:], scale[standardised:] = 0.0, 1.0
    z = (x - mean) / scale
    weight = np.ones(len(y)) if sample_weight is None else sample_weight
    weight = weight / weight.sum()
    onehot = np.eye(k)[y]
    coef, bias = np.zeros((z.shape[1], k)), np.zeros(k)
    v_coef, v_bias = np.zeros_like(coef), np.zeros_like(bias)
    for _ in range(iterations):
        logits = z @ coef + bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - onehot) * weight[:, None]
        v_coef = MOMENTUM * v_coef - step * (z.T @ err + penalty * coef)
        v_bias = MOMENTUM * v_bias - step * err.sum(axis=0)
        coef += v_coef
        bias += v_bias
    return SoftmaxFit(mean, scale, coef, bias)
