#!/usr/bin/env python3
"""Show 9-model: save a whole model, load it back, keep training.

Saves a briefly trained network to build/9-network.keras under the
repository root, loads it, and prints its weights and optimizer. Run it from
the repository root or from tests/:

    python3 tests/9-main.py
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
model = __import__('9-model')
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

    # Save and load the whole model
    filename = os.path.join(ROOT, 'build', '9-network.keras')
    os.makedirs(os.path.dirname(filename), exist_ok=True)
    model.save_model(network, filename)
    loaded = model.load_model(filename)

    # Compare the loaded model with the saved one
    same = all(np.array_equal(saved, restored) for saved, restored in zip(
        network.get_weights(), loaded.get_weights()))
    print('Weight shapes:',
          [tuple(weights.shape) for weights in loaded.get_weights()])
    print('First kernel, top left:')
    print(np.round(loaded.get_weights()[0][:3, :3], 4))
    print('Same weights after loading:', same)
    print('Optimizer: {}, iterations {}'.format(
        loaded.optimizer.__class__.__name__,
        int(loaded.optimizer.iterations.numpy())))

    # The loaded model goes on training where the saved one stopped
    history = train_model(loaded, data, labels, 64, 1, verbose=False)
    print('Loss of one more epoch: {:.4f}'.format(history.history['loss'][0]))
