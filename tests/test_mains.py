"""Run every tests/N-main.py as a user would and check what it prints."""
import os
import re
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)

pytestmark = pytest.mark.slow

# Lines each main prints whatever the Keras line and the MNIST file.
EXPECTED = {
    0: ['Parameters: 269322',
        'Layers: dense, dropout, dense_1, dropout_1, dense_2'],
    1: ['Parameters: 269322', ', dense, dropout, dense_1, dropout_1, dense_2'],
    2: ['Returned: None', 'Loss: categorical_crossentropy',
        'Optimizer: Adam', 'Learning rate: 0.01', 'Beta 1: 0.99',
        'Beta 2: 0.9'],
    3: ['One-hot shape: (10, 10) float32'],
    4: ['Epochs run: 3'],
    5: ['Epochs run: 3', 'Validation accuracy per epoch: ['],
    6: ['Best validation loss: '],
    7: ['Epoch 1: LearningRateScheduler setting learning rate to 0.001.',
        'Epoch 2: LearningRateScheduler setting learning rate to 0.0005.',
        'Epoch 3: LearningRateScheduler setting learning rate to '
        '0.0003333333333333333.'],
    8: ['Saved best model: build/8-network.keras'],
    9: ['Same weights after loading: True', 'Optimizer: Adam, iterations 32',
        'Loss of one more epoch: '],
    10: ['Same weights before loading: False',
         'Same weights after loading: True', 'Same predictions: True'],
    11: ['Parameters: 269322', 'Same architecture: True',
         'Same weights: False'],
    12: ['Test loss: ', 'Test accuracy: '],
    13: ['Predictions shape: (1000, 10)', 'Rows sum to one: True'],
}


def run_main(number, cwd):
    """Run tests/<number>-main.py from `cwd`; return its standard output."""
    script = os.path.relpath(os.path.join(TESTS, f'{number}-main.py'), cwd)
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
    result = subprocess.run([sys.executable, script], cwd=cwd,
                            env=environment, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize('number', sorted(EXPECTED),
                         ids=[f'{number}-main' for number in sorted(EXPECTED)])
def test_main_runs_and_reports(number):
    """Each main exits cleanly and prints its labelled results; even mains
    run from the repository root, odd ones from tests/."""
    cwd = ROOT if number % 2 == 0 else TESTS

    output = run_main(number, cwd)

    for line in EXPECTED[number]:
        assert line in output
    if number == 3:
        labels = re.search(r'^Labels: (.*)$', output, re.M).group(1)
        decoded = re.search(r'^Decoded: (.*)$', output, re.M).group(1)
        assert labels == decoded
    if number == 6:
        run = int(re.search(r'^Epochs run: (\d+) of 30$', output,
                            re.M).group(1))
        assert run < 30
    if number in (12, 13):
        accuracy = float(re.search(r'ccuracy: ([0-9.]+)$', output,
                                   re.M).group(1))
        assert accuracy > 0.85
