#!/usr/bin/env python3
"""Show 4-train.train_model: mini-batch training of the course network.

Trains on 2,000 MNIST digits for three epochs and prints the loss and
accuracy of each epoch. Run it from the repository root or from tests/:

    python3 tests/4-main.py
"""
import os
import sys

import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('1-input').build_model
optimize_model = __import__('2-optimize').optimize_model
one_hot = __import__('3-one_hot').one_hot
train_model = __import__('4-train').train_model
load_mnist = __import__('mnist_data').load_mnist


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Load 2,000 training digits, each flattened to 784 features
    m = 2000
    images, labels = load_mnist()[:2]
    data = images[:m].reshape(m, -1)

    # Encode the labels
    labels = one_hot(labels[:m], 10)

    # Build and compile the course network
    network = build_model(784, [256, 256, 10], ['relu', 'relu', 'softmax'],
                          0.0001, 0.95)
    optimize_model(network, 0.001, 0.9, 0.999)

    # Train
    batch_size = 64
    epochs = 3
    history = train_model(network, data, labels, batch_size, epochs)

    # Results
    print('Epochs run:', len(history.history['loss']))
    print('Loss per epoch:',
          [round(value, 4) for value in history.history['loss']])
    print('Accuracy per epoch:',
          [round(value, 4) for value in history.history['accuracy']])
