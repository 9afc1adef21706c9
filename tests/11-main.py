#!/usr/bin/env python3
"""Show 11-config: save an architecture as JSON, build it again.

Saves the course network's architecture to build/11-config.json under the
repository root and builds a new, uncompiled network from it. Run it from
the repository root or from tests/:

    python3 tests/11-main.py
"""
import os
import sys

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('1-input').build_model
config = __import__('11-config')


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Build the course network
    network = build_model(784, [256, 256, 10], ['relu', 'relu', 'softmax'],
                          0.0001, 0.95)

    # Save its architecture, then build a new network from the file
    filename = os.path.join(ROOT, 'build', '11-config.json')
    os.makedirs(os.path.dirname(filename), exist_ok=True)
    config.save_config(network, filename)
    rebuilt = config.load_config(filename)

    # Same layers, fresh weights
    kinds = [layer.__class__.__name__ for layer in network.layers]
    rebuilt_kinds = [layer.__class__.__name__ for layer in rebuilt.layers]
    print('Layers:', ', '.join(layer.name for layer in rebuilt.layers))
    print('Parameters:', rebuilt.count_params())
    print('Same architecture:', kinds == rebuilt_kinds)
    print('Same weights:', np.array_equal(rebuilt.get_weights()[0],
                                          network.get_weights()[0]))
