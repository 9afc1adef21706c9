"""Tests for train_mnist, the main job: the course network end to end."""
import numpy as np
import pytest

import train_mnist


def write_small_mnist(path):
    """Write a 300 / 100 / 100 sample file of random digits in the MNIST
    layout, enough to run the whole job in seconds."""
    rng = np.random.default_rng(0)
    arrays = {}
    for part, size in (('train', 300), ('valid', 100), ('test', 100)):
        arrays['X_' + part] = rng.random((size, 28, 28), dtype=np.float32)
        arrays['Y_' + part] = rng.integers(0, 10, size).astype(np.uint8)
    np.savez(path, **arrays)


def test_main_refuses_zero_epochs(capsys):
    """--epochs 0 stops at the command line, before any data is read."""
    with pytest.raises(SystemExit):
        train_mnist.main(['--epochs', '0'])

    assert '--epochs must be at least 1' in capsys.readouterr().err


def test_main_runs_every_step(monkeypatch, tmp_path):
    """On a small file, the job trains the given epochs, saves the best
    model and the learning curve, and reports consistent results."""
    data = tmp_path / 'small.npz'
    write_small_mnist(data)
    monkeypatch.setenv('MNIST_NPZ', str(data))

    results = train_mnist.main(['--epochs', '2', '--quiet', '--output-dir',
                                str(tmp_path / 'out')])

    assert results['epochs_run'] == 2
    assert results['best_epoch'] in (1, 2)
    assert 0 <= results['test_accuracy'] <= 1
    assert results['prediction_accuracy'] == pytest.approx(
        results['test_accuracy'], abs=1e-6)
    assert (tmp_path / 'out' / 'mnist_best.keras').is_file()
    with open(tmp_path / 'out' / 'learning_curve.png', 'rb') as image:
        assert image.read(8) == b'\x89PNG\r\n\x1a\n'


@pytest.mark.slow
def test_main_reaches_course_accuracy(tmp_path):
    """On the MNIST file, the best model scores at least 0.95 on the test
    set (about 0.96 on the 15,000-digit file, 0.98 on full MNIST)."""
    results = train_mnist.main(['--quiet', '--output-dir', str(tmp_path)])

    assert results['test_accuracy'] >= 0.95
    assert results['prediction_accuracy'] == pytest.approx(
        results['test_accuracy'], abs=1e-6)
    assert results['best_val_loss'] < 0.25
    assert 1 <= results['best_epoch'] <= results['epochs_run'] <= 30
