#!/usr/bin/env python3
"""Convert a vector of integer labels to a one-hot matrix."""
import numpy as np


def one_hot(labels, classes=None):
    """Convert integer class labels to a one-hot matrix.

    Unlike `K.utils.to_categorical`, negative, fractional or too large
    labels are refused rather than wrapped or truncated, and the result is
    `float32` on every Keras generation.

    Args:
        labels: Integer labels, a list or a `numpy.ndarray` of shape `(m,)`
            or `(m, 1)`. Integral floats such as `2.0` count as integers.
        classes: Number of classes. Defaults to the largest label + 1.

    Returns:
        A `numpy.ndarray` of shape `(m, classes)` and dtype `float32`.
    """
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            '`labels` must be a vector of shape (m,) or (m, 1). '
            'Received: labels of shape {}'.format(labels.shape))
    if labels.size and labels.dtype.kind not in 'iuf':
        raise TypeError(
            '`labels` must hold integer class indices. '
            'Received: labels of dtype {}'.format(labels.dtype))
    if labels.dtype.kind == 'f':
        fractional = ~np.isfinite(labels) | (labels != np.round(labels))
        if fractional.any():
            raise ValueError(
                '`labels` must hold integer class indices. '
                'Received: labels[{}]={!r}'.format(
                    np.argmax(fractional), labels[fractional][0].item()))
    if labels.size and labels.min() < 0:
        raise ValueError(
            '`labels` must hold non-negative class indices. '
            'Received: labels[{}]={!r}'.format(
                np.argmin(labels), labels.min().item()))
    if labels.size and labels.max() >= 2 ** 63:
        raise ValueError(
            '`labels` must hold class indices that fit in 64 bits. '
            'Received: labels[{}]={!r}'.format(
                np.argmax(labels), labels.max().item()))
    indices = labels.astype(np.int64)
    largest = int(indices.max()) if indices.size else -1

    if classes is None:
        if largest < 0:
            raise ValueError(
                '`classes` is needed when `labels` is empty: the number of '
                'classes cannot be inferred. Received: labels of shape '
                '{}, classes=None'.format(labels.shape))
        classes = largest + 1
    elif (not isinstance(classes, (int, np.integer))
          or isinstance(classes, bool) or classes <= largest
          or classes < 1):
        raise ValueError(
            '`classes` must be an integer larger than the largest label '
            '({}). Received: classes={!r}'.format(largest, classes))

    encoded = np.zeros((indices.size, classes), dtype=np.float32)
    encoded[np.arange(indices.size), indices] = 1
    return encoded
