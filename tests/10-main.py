#!/usr/bin/env python3
"""Show 10-weights: save the weights, load them into a new network.

Saves the weights of a briefly trained network to build/10-weights.h5 under
the repository root and loads them into a freshly built one. Run it from the
repository root or from tests/:

    python3 tests/10-main.py
"""
import os
import sys

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('1-input').build_model
optimize_model = __import__('2-optimize').optimize_model
one_hot = __import__('3-one_hot').one_hot
train_model = __import__('4-train').train_model
weights = __import__('10-weights')
load_mnist = __import__('mnist_data').load_mnist


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Load 2,000 training digits, flattened, and encode their labels
    m = 2000
    images, labels = load_mnist()[:2]
    data = images[:m].reshape(m, -1)
    labels = one_hot(labels[:m], 10)

    # Build, compile and train the course network for one epoch
    network = build_model(784, [256, 256, 10], ['relu', 'relu', 'softmax'],
                          0.0001, 0.95)
    optimize_model(network, 0.001, 0.9, 0.999)
    train_model(network, data, labels, 64, 1, verbose=False)

    # Save the weights
    filename = os.path.join(ROOT, 'build', '10-weights.h5')
    os.makedirs(os.path.dirname(filename), exist_ok=True)
    weights.save_weights(network, filename)

    # Load them into a new network of the same architecture
    fresh = build_model(784, [256, 256, 10], ['relu', 'relu', 'softmax'],
                        0.0001, 0.95)
    before = np.array_equal(fresh.get_weights()[0], network.get_weights()[0])
    weights.load_weights(fresh, filename)
    after = all(np.array_equal(saved, restored) for saved, restored in zip(
        network.get_weights(), fresh.get_weights()))
    print('Same weights before loading:', before)
    print('Same weights after loading:', after)
    print('Same predictions:', np.array_equal(
        network.predict(data[:100], verbose=0),
        fresh.predict(data[:100], verbose=0)))
