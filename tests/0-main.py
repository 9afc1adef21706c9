#!/usr/bin/env python3
"""Show 0-sequential.build_model: the course network, built with Sequential.

Prints the summary and the three L2 penalties, one per Dense layer. Run it
from the repository root or from tests/:

    python3 tests/0-main.py
"""
import os
import sys

import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('0-sequential').build_model


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Build: 784 inputs, two hidden tanh layers, a softmax output
    network = build_model(784, [256, 256, 10], ['tanh', 'tanh', 'softmax'],
                          0.001, 0.95)
    network.summary()

    # The L2 penalty of each Dense layer's initial kernel
    print('Parameters:', network.count_params())
    print('Layers:', ', '.join(layer.name for layer in network.layers))
    print('Regularization losses:',
          [round(float(loss), 4) for loss in network.losses])
