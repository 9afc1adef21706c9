"""The task functions under tf.distribute, on each Keras line.

Every scenario runs in processes of its own (tests/distribute_worker.py
says what each does), since devices and clusters are set up before
TensorFlow starts: one process for MirroredStrategy over two logical CPUs,
two worker processes on 127.0.0.1 for MultiWorkerMirroredStrategy. The
processes are bounded in time and killed, process group and all, whatever
happens. Each runs on this interpreter's line and, from the Keras 3 run,
on the legacy line too (KERAS2_LEGACY_PYTHON): both lines share their
TensorFlow, so one CI run covers all three lines once.
"""
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, keras_major

pytestmark = pytest.mark.slow

WORKER = os.path.join(ROOT, 'tests', 'distribute_worker.py')
TIMEOUT = 300
# Without dropout, distributed and one-device training take the same steps
# on the same global batches; only the order of float32 sums differs. The
# weights, about 0.2 at most, then differ by 2e-7 on every line, while one
# epoch at batch size 32 or 128 instead of 64 moves them by 0.03 to 0.06.
ROUNDING = 1e-5
# With dropout, each replica draws its own masks, as another seed would.
# One-device test accuracy after this training (2 epochs on 5,000 digits)
# has a standard deviation of 0.0065 on Keras 3 (six seeds) and 0.0036 on
# Keras 2 (eight); two independent runs differ by less than 0.025 (2.7
# standard deviations of their difference) but for one time in 140.
ACCURACY_TOLERANCE = 0.025
TRAIN_MODULES = ['4-train', '5-train', '6-train', '7-train', '8-train']

Line = collections.namedtuple('Line', 'python environment keras')


@pytest.fixture(scope='module', params=['this-line', 'legacy-line'])
def line(request):
    """Return the interpreter, environment and Keras generation to run the
    scenarios with: this line, and the legacy line from Keras 3."""
    environment = {name: value for name, value in os.environ.items()
                   if name != 'TF_CONFIG'}
    environment['TF_CPP_MIN_LOG_LEVEL'] = '2'
    if request.param == 'this-line':
        return Line(sys.executable, environment, keras_major())
    if keras_major() != 3:
        pytest.skip('the legacy line runs from the Keras 3 run only')
    python = os.environ.get('KERAS2_LEGACY_PYTHON')
    if not python:
        pytest.skip('KERAS2_LEGACY_PYTHON is unset: no legacy line to run')
    environment['TF_USE_LEGACY_KERAS'] = '1'
    # Absolute, since the processes start in a scenario folder
    python = os.path.abspath(shutil.which(python) or python)
    return Line(python, environment, 2)


def free_ports(count):
    """Return `count` TCP ports of 127.0.0.1 that are free right now."""
    sockets = []
    try:
        for _ in range(count):
            sockets.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sockets[-1].bind(('127.0.0.1', 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def run_scenario(line, scenario, folder, workers=None):
    """Run `scenario` of the worker script, in one process or as a cluster
    of `workers` processes on 127.0.0.1; return the results of each.

    The processes start together, each in its own process group. The run
    ends when all have exited, when one fails (its peers would wait for it
    forever) or after TIMEOUT seconds; then every group is killed.
    """
    environments = [line.environment]
    if workers is not None:
        addresses = ['127.0.0.1:{}'.format(port)
                     for port in free_ports(workers)]
        environments = [
            dict(line.environment, TF_CONFIG=json.dumps({
                'cluster': {'worker': addresses},
                'task': {'type': 'worker', 'index': index}}))
            for index in range(workers)]

    logs = [folder / 'log-{}.txt'.format(index)
            for index in range(len(environments))]
    processes = []
    try:
        for environment, log in zip(environments, logs):
            with open(log, 'w') as output:
                processes.append(subprocess.Popen(
                    [line.python, WORKER, scenario, str(folder)],
                    cwd=str(folder),
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            codes = [process.poll() for process in processes]
            if None not in codes or any(codes):
                break
            time.sleep(0.2)
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()

    codes = [process.returncode for process in processes]
    # A process that failed by itself tells more than one killed after it
    for code, log in sorted(zip(codes, logs), key=lambda pair: pair[0] < 0):
        assert code == 0, (
            '{} processes ended with {} (negative: killed after a peer '
            'failed or after {} s); the output of one that ended with {} '
            'ends:\n{}'.format(scenario, codes, TIMEOUT, code,
                               log.read_text()[-4000:]))
    results = []
    for index in range(len(processes)):
        with open(folder / '{}-{}.json'.format(scenario, index)) as handle:
            results.append(json.load(handle))
    assert all(result['keras'] == line.keras for result in results)
    return results


@pytest.fixture(scope='module')
def mirrored(line, tmp_path_factory):
    """Return the findings of the MirroredStrategy scenario on `line`."""
    folder = tmp_path_factory.mktemp('mirrored')
    return run_scenario(line, 'mirrored', folder)[0]


@pytest.fixture(scope='module')
def multi_worker(line, tmp_path_factory):
    """Return the folder and each worker's findings of two-worker training
    on `line`."""
    if line.keras >= 3:
        pytest.skip('Keras 3 refuses several workers (see '
                    'test_train_model_refuses_several_workers_on_keras_3)')
    folder = tmp_path_factory.mktemp('multi-worker')
    return folder, run_scenario(line, 'multi-worker', folder, workers=2)


@pytest.fixture(scope='module')
def refused(line, tmp_path_factory):
    """Return each worker's findings of calling every train_model in a
    two-worker cluster on `line`."""
    if line.keras < 3:
        pytest.skip('Keras 2 trains with several workers')
    folder = tmp_path_factory.mktemp('refused')
    return run_scenario(line, 'refused', folder, workers=2)


def test_train_model_mirrored_takes_one_device_steps(mirrored):
    """Without dropout, MirroredStrategy over two CPUs trains the course
    network exactly as one device does with the same global batch."""
    assert mirrored['replicas'] == 2
    assert mirrored['plain_weight_gap'] < ROUNDING


def test_train_model_mirrored_reaches_one_device_accuracy(mirrored):
    """The course network, dropout included, reaches the test accuracy of
    one-device training with the same global batch."""
    assert mirrored['single_accuracy'] > 0.9
    assert mirrored['mirrored_accuracy'] == pytest.approx(
        mirrored['single_accuracy'], abs=ACCURACY_TOLERANCE)


def test_train_model_mirrored_best_model_file(mirrored):
    """The best-model file of distributed training, reloaded, scores the
    lowest validation loss of the History."""
    assert mirrored['best_file_val_loss'] == pytest.approx(
        min(mirrored['history']['val_loss']), rel=1e-6)


def test_save_model_load_model_mirrored(mirrored):
    """A network trained under MirroredStrategy saves and reloads with the
    same predictions, and reloaded in the strategy's scope trains on."""
    assert mirrored['prediction_gap'] < 1e-6
    assert mirrored['resumed_strategy'] == 'MirroredStrategy'
    assert mirrored['resumed_loss'] < mirrored['history']['loss'][0]


def test_train_model_multi_worker_takes_one_device_steps(multi_worker):
    """Without dropout, each of two workers trains the course network
    exactly as one device does with the same global batch."""
    _, results = multi_worker

    assert [result['replicas'] for result in results] == [2, 2]
    for result in results:
        assert result['plain_weight_gap'] < ROUNDING


def test_train_model_multi_worker_identical_weights(multi_worker):
    """Both workers end the course network's training with identical
    weights and identical histories."""
    folder, results = multi_worker

    with np.load(folder / 'weights-0.npz') as first, \
            np.load(folder / 'weights-1.npz') as second:
        assert first.files == second.files
        for key in first.files:
            np.testing.assert_array_equal(first[key], second[key])
    assert results[0]['history'] == results[1]['history']
    assert results[0]['history']['val_accuracy'][-1] > 0.85


def test_train_model_multi_worker_best_model_file(multi_worker):
    """The chief's best-model file scores the lowest validation loss of the
    History, and no temporary file stays beside it."""
    folder, results = multi_worker

    assert [result['chief'] for result in results] == [True, False]
    assert results[0]['best_file_val_loss'] == pytest.approx(
        min(results[0]['history']['val_loss']), rel=1e-6)
    assert sorted(path.name for path in folder.iterdir()
                  if not path.name.endswith(('.json', '.txt'))) == [
        'best.keras', 'weights-0.npz', 'weights-1.npz']


def test_train_model_refuses_several_workers_on_keras_3(refused):
    """On Keras 3, whose fit fails under several workers, every train_model
    refuses at once, from inside the task file, naming the way out."""
    for result in refused:
        assert result['replicas'] == 2
        for name in TRAIN_MODULES:
            call = result['calls'][name]
            assert call['error'] == 'RuntimeError'
            assert 'MultiWorkerMirroredStrategy' in call['message']
            assert 'keras-team/keras#20585' in call['message']
            assert 'TF_USE_LEGACY_KERAS=1' in call['message']
            assert 'tf-keras' in call['message']
            assert set(call['files']) == {name + '.py'}
            assert call['seconds'] < 1
        assert result['weights_unchanged']


def test_train_model_one_worker_strategy_trains(line, tmp_path_factory):
    """MultiWorkerMirroredStrategy without TF_CONFIG, one worker, trains on
    every line: only several workers are refused."""
    folder = tmp_path_factory.mktemp('one-worker')

    result, = run_scenario(line, 'one-worker', folder)

    assert result['replicas'] == 1
    assert len(result['history']['loss']) == 1
    assert (folder / 'best.h5').is_file()
