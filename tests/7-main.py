#!/usr/bin/env python3
"""Show 7-train.train_model: inverse time decay of the learning rate.

Trains on 2,000 MNIST digits for three epochs; Keras announces the rate
alpha / (1 + decay_rate * epoch) at the start of each epoch. Run it from
the repository root or from tests/:

    python3 tests/7-main.py
"""
import os
import sys

import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('1-input').build_model
optimize_model = __import__('2-optimize').optimize_model
one_hot = __import__('3-one_hot').one_hot
train_model = __import__('7-train').train_model
load_mnist = __import__('mnist_data').load_mnist


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Load 2,000 training and 500 validation digits, flattened
    m_train = 2000
    m_valid = 500
    x_train, y_train, x_valid, y_valid = load_mnist()[:4]
    x_train = x_train[:m_train].reshape(m_train, -1)
    x_valid = x_valid[:m_valid].reshape(m_valid, -1)

    # Encode the labels
    y_train = one_hot(y_train[:m_train], 10)
    y_valid = one_hot(y_valid[:m_valid], 10)

    # Build and compile the course network
    network = build_model(784, [256, 256, 10], ['relu', 'relu', 'softmax'],
                          0.0001, 0.95)
    optimize_model(network, 0.001, 0.9, 0.999)

    # Train with early stopping and a decaying learning rate
    batch_size = 64
    epochs = 3
    alpha = 0.001
    decay_rate = 1
    history = train_model(network, x_train, y_train, batch_size, epochs,
                          validation_data=(x_valid, y_valid),
                          early_stopping=True, patience=3,
                          learning_rate_decay=True, alpha=alpha,
                          decay_rate=decay_rate)

    # Results
    print('Expected rates:',
          [alpha / (1 + decay_rate * epoch) for epoch in range(epochs)])
    print('Validation loss per epoch:',
          [round(value, 4) for value in history.history['val_loss']])
