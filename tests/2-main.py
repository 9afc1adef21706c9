#!/usr/bin/env python3
"""Show 2-optimize.optimize_model: Adam, cross-entropy and accuracy.

Compiles the course network and prints what the compiled model holds. Run
it from the repository root or from tests/:

    python3 tests/2-main.py
"""
import os
import sys

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('1-input').build_model
optimize_model = __import__('2-optimize').optimize_model


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Build
    network = build_model(784, [256, 256, 10], ['tanh', 'tanh', 'softmax'],
                          0.001, 0.95)

    # Compile with the hyper-parameters of the course's 2-main
    alpha = 0.01
    beta1 = 0.99
    beta2 = 0.9
    result = optimize_model(network, alpha, beta1, beta2)

    # What the compiled network holds
    optimizer = network.optimizer
    config = optimizer.get_config()
    print('Returned:', result)
    print('Loss:', network.loss)
    print('Optimizer:', optimizer.__class__.__name__)
    print('Learning rate:', np.float32(config['learning_rate']))
    print('Beta 1:', config['beta_1'])
    print('Beta 2:', config['beta_2'])
