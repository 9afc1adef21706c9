#!/usr/bin/env python3
"""Show 3-one_hot.one_hot: the first ten MNIST labels as one-hot rows.

Run it from the repository root or from tests/:

    python3 tests/3-main.py
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
one_hot = __import__('3-one_hot').one_hot
load_mnist = __import__('mnist_data').load_mnist


if __name__ == '__main__':
    # Load ten labels
    labels = load_mnist()[1][:10]
    print('Labels:', labels)

    # Encode, with the number of classes taken from the labels
    encoded = one_hot(labels)
    print('One-hot shape:', encoded.shape, encoded.dtype)
    print(encoded)

    # Decode again: the position of each row's 1
    print('Decoded:', np.argmax(encoded, axis=1))
