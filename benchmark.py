#!/usr/bin/env python3
"""Benchmark the task files' training speed against plain Keras.

Runs interleaved A/B rounds, every run in a fresh process, on whichever
Keras line the interpreter has. The project side builds the course network
with 1-input, compiles it with 2-optimize.optimize_model and trains it with
4-train.train_model; the plain side builds the same network and trains it
with a bare `compile` (Adam, the loss and the metric by name, nothing else)
and `fit`. Both use the same seed, data, `shuffle` and `verbose`. Each run
trains one warm-up epoch, then the timed epochs in a second call. From the
repository root:

    MNIST_NPZ=/absolute/path/MNIST.npz .venv/bin/python benchmark.py
    python3 benchmark.py --rounds 3 --batch-sizes 32

Prints, per batch size, the samples per second of each side (median, min
and max over the rounds), the median of the per-round ratios, the start-up
times (import, build, compile), the peak memory and the machine.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.abspath(__file__))
SIDES = ('project', 'plain')
RESULT_MARK = 'BENCHMARK-RESULT '
NETWORK = {
    'nx': 784,
    'layers': [256, 256, 10],
    'activations': ['relu', 'relu', 'softmax'],
    'lambtha': 0.0001,
    'keep_prob': 0.95,
}
ADAM = {'alpha': 0.001, 'beta1': 0.9, 'beta2': 0.999}


def parse_arguments(argv=None):
    """Parse the command line.

    Args:
        argv: List of arguments without the program name, or `None` to read
            `sys.argv`.

    Returns:
        The `argparse.Namespace` of the options.
    """
    parser = argparse.ArgumentParser(
        description='Compare the training speed of the task files with '
                    'plain compile + fit, in interleaved fresh processes.')
    parser.add_argument(
        '--rounds', type=int, default=5,
        help='A/B rounds per batch size (default: %(default)s)')
    parser.add_argument(
        '--epochs', type=int, default=3,
        help='timed epochs after the warm-up epoch (default: %(default)s)')
    parser.add_argument(
        '--batch-sizes', type=int, nargs='+', default=[32, 128],
        help='batch sizes to measure (default: 32 128)')
    parser.add_argument(
        '--samples', type=int, default=None,
        help='train on the first SAMPLES training images (default: all)')
    parser.add_argument(
        '--seed', type=int, default=0,
        help='seed of both sides (default: %(default)s)')
    parser.add_argument(
        '--verbose', action='store_true',
        help="show Keras's progress bars in the runs (hidden from the "
             'output; default: verbose=False on both sides)')
    parser.add_argument(
        '--shuffle', action='store_true',
        help='reshuffle the batches every epoch on both sides')
    parser.add_argument(
        '--worker', choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument(
        '--batch-size', type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)

    for name in ('rounds', 'epochs', 'samples'):
        value = getattr(arguments, name)
        if value is not None and value < 1:
            parser.error(f'--{name} must be at least 1; got {value}')
    if min(arguments.batch_sizes) < 1:
        parser.error('--batch-sizes must be positive; '
                     f'got {arguments.batch_sizes}')
    return arguments


def run_side(side, batch_size, arguments):
    """Train one side in this process and return its measurements.

    Args:
        side: `'project'` for the task files, `'plain'` for compile + fit.
        batch_size: Number of samples per gradient step.
        arguments: The `argparse.Namespace` of the benchmark.

    Returns:
        Dictionary of the versions, timings in seconds, samples per second,
        peak memory in MiB, final training loss and compile options.
    """
    sys.path.insert(0, ROOT)
    import numpy as np
    from mnist_data import load_mnist

    x_train, y_train = load_mnist()[:2]
    x_train = x_train[:arguments.samples].reshape(
        len(x_train[:arguments.samples]), -1)
    labels = np.eye(10, dtype=np.float32)[y_train[:arguments.samples]]
    samples = len(x_train)

    start = time.perf_counter()
    import tensorflow.keras as K
    build_model = __import__('1-input').build_model
    if side == 'project':
        optimize_model = __import__('2-optimize').optimize_model
        train_model = __import__('4-train').train_model
    imported = time.perf_counter()

    K.utils.set_random_seed(arguments.seed)
    network = build_model(**NETWORK)
    built = time.perf_counter()

    if side == 'project':
        optimize_model(network, **ADAM)
    else:
        network.compile(
            optimizer=K.optimizers.Adam(
                learning_rate=ADAM['alpha'],
                beta_1=ADAM['beta1'],
                beta_2=ADAM['beta2']),
            loss='categorical_crossentropy',
            metrics=['accuracy'])
    compiled = time.perf_counter()

    def train(epochs):
        if side == 'project':
            return train_model(network, x_train, labels, batch_size, epochs,
                               verbose=arguments.verbose,
                               shuffle=arguments.shuffle)
        return network.fit(x_train, labels, batch_size=batch_size,
                           epochs=epochs, verbose=arguments.verbose,
                           shuffle=arguments.shuffle)

    train(1)
    warmed = time.perf_counter()
    warmed_cpu = time.process_time()
    history = train(arguments.epochs)
    finished = time.perf_counter()
    finished_cpu = time.process_time()

    tensorflow = sys.modules['tensorflow']
    return {
        'tensorflow': tensorflow.__version__,
        'keras': _keras_version(K),
        'python': platform.python_version(),
        'samples': samples,
        'import': imported - start,
        'build': built - imported,
        'compile': compiled - built,
        'first_epoch': warmed - compiled,
        'rate': samples * arguments.epochs / (finished - warmed),
        'cpu_rate': samples * arguments.epochs / (finished_cpu - warmed_cpu),
        'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'final_loss': float(history.history['loss'][-1]),
        'options': _compile_options(network),
    }


def _keras_version(keras):
    """Return the version of the Keras behind tensorflow.keras."""
    if hasattr(keras, '__version__'):
        return keras.__version__
    # Keras 2 inside TensorFlow 2.15, and tf-keras, keep it elsewhere
    from importlib import metadata
    for package in ('tf-keras', 'keras'):
        if package == 'tf-keras' and os.environ.get(
                'TF_USE_LEGACY_KERAS') != '1':
            continue
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return 'unknown'


def _compile_options(network):
    """Return the speed options a compiled network runs with, as text."""
    steps = getattr(network, 'steps_per_execution', None)
    if steps is None:
        steps = getattr(network, '_steps_per_execution', None)
    steps = int(steps.numpy()) if hasattr(steps, 'numpy') else steps
    jit = getattr(network, 'jit_compile', None)
    if jit is None:
        jit = getattr(network, '_jit_compile', None)
    return f'steps_per_execution={steps}, jit_compile={bool(jit)}'


def spawn(side, batch_size, arguments):
    """Run one side in a fresh process and return its measurements."""
    command = [sys.executable, os.path.abspath(__file__),
               '--worker', side, '--batch-size', str(batch_size),
               '--epochs', str(arguments.epochs),
               '--seed', str(arguments.seed)]
    if arguments.samples is not None:
        command += ['--samples', str(arguments.samples)]
    if arguments.verbose:
        command.append('--verbose')
    if arguments.shuffle:
        command.append('--shuffle')
    environment = dict(os.environ)
    environment.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    completed = subprocess.run(command, capture_output=True, text=True,
                               env=environment, check=False)
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    sys.exit('The {} run at batch size {} failed (exit code {}):\n{}'.format(
        side, batch_size, completed.returncode,
        completed.stderr[-3000:]))


def describe_machine():
    """Return the CPU model, CPU count, memory and operating system."""
    model = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ''
    try:
        with open('/proc/meminfo') as meminfo:
            kibibytes = int(meminfo.readline().split()[1])
            memory = f', {kibibytes / 2 ** 20:.1f} GiB RAM'
    except (OSError, ValueError, IndexError):
        pass
    return f'{model}, {os.cpu_count()} CPUs{memory}, {platform.platform()}'


def describe_line(run):
    """Return the Keras line a run measured, with its versions."""
    major = run['keras'].split('.')[0]
    if major == '3':
        name = 'Keras 3'
    elif os.environ.get('TF_USE_LEGACY_KERAS') == '1':
        name = 'Keras 2, legacy switch (tf-keras)'
    else:
        name = 'Keras 2'
    return '{}: TensorFlow {}, Keras {}, Python {}'.format(
        name, run['tensorflow'], run['keras'], run['python'])


def load_average():
    """Return the 1-minute load average as text, or '?' where unknown."""
    try:
        return f'{os.getloadavg()[0]:.1f}'
    except OSError:
        return '?'


def print_rates(runs, batch_sizes, key, title):
    """Print a table of one rate per batch size and side, with ratios."""
    print()
    print(title + ', median [min, max]:')
    print('{:>6}  {:<26}{:<26}{}'.format(
        'batch', 'project', 'plain', 'ratio (median of rounds)'))
    for batch_size in batch_sizes:
        cells = []
        for side in SIDES:
            rates = [run[key] for run in runs[batch_size][side]]
            cells.append('{:,.0f} [{:,.0f}, {:,.0f}]'.format(
                statistics.median(rates), min(rates), max(rates)))
        ratios = [project[key] / plain[key] for project, plain in zip(
            runs[batch_size]['project'], runs[batch_size]['plain'])]
        print('{:>6}  {:<26}{:<26}{:.2f}'.format(
            batch_size, cells[0], cells[1], statistics.median(ratios)))


def summarize(runs, arguments, load_before):
    """Print the summary of all rounds."""
    first = runs[arguments.batch_sizes[0]]['project'][0]
    print()
    print('Machine:  {}; load average {} before, {} after'.format(
        describe_machine(), load_before, load_average()))
    print('Line:     {}'.format(describe_line(first)))
    print('Workload: course network 784-256-256-10 (keep_prob 0.95), '
          f'{first["samples"]} MNIST training images, seed {arguments.seed}, '
          f'shuffle={arguments.shuffle}, verbose={arguments.verbose}')
    print(f'Rounds:   {arguments.rounds}, interleaved, each run a fresh '
          f'process: 1 warm-up epoch, then {arguments.epochs} timed epochs')
    print('project:  optimize_model ({}) + 4-train.train_model'.format(
        first['options']))
    print('plain:    compile(Adam, loss and metric by name) + fit')

    print_rates(runs, arguments.batch_sizes, 'rate',
                'Samples/s after the warm-up epoch')
    print_rates(runs, arguments.batch_sizes, 'cpu_rate',
                'Samples per CPU-second (all threads), less sensitive to '
                'load')

    print()
    print('Start-up, median s:  import  build  compile  build+compile')
    for side in SIDES:
        every_run = [run for batch_size in arguments.batch_sizes
                     for run in runs[batch_size][side]]

        def median(key):
            return statistics.median(run[key] for run in every_run)
        print('  {:<18}{:>7.2f}{:>7.3f}{:>9.3f}{:>15.3f}'.format(
            side, median('import'), median('build'), median('compile'),
            statistics.median(run['build'] + run['compile']
                              for run in every_run)))

    print()
    print('First epoch (tracing included) and peak memory, median:')
    for batch_size in arguments.batch_sizes:
        cells = []
        for side in SIDES:
            side_runs = runs[batch_size][side]
            cells.append('{} {:.1f} s, {:.0f} MiB'.format(
                side,
                statistics.median(run['first_epoch'] for run in side_runs),
                statistics.median(run['peak_mib'] for run in side_runs)))
        print('  batch {:>4}: {}'.format(batch_size, '; '.join(cells)))

    difference = max(
        abs(project['final_loss'] - plain['final_loss'])
        for batch_size in arguments.batch_sizes
        for project, plain in zip(runs[batch_size]['project'],
                                  runs[batch_size]['plain']))
    print()
    print('Same training on both sides: largest difference of the final '
          f'loss over all rounds {difference:.3g}')


def main(argv=None):
    """Run the benchmark, or one side of it with `--worker`."""
    arguments = parse_arguments(argv)
    if arguments.worker is not None:
        result = run_side(arguments.worker, arguments.batch_size, arguments)
        print('\n' + RESULT_MARK + json.dumps(result), flush=True)
        return

    load_before = load_average()
    runs = {batch_size: {side: [] for side in SIDES}
            for batch_size in arguments.batch_sizes}
    for round_index in range(arguments.rounds):
        for batch_size in arguments.batch_sizes:
            # Alternate which side goes first, so drift hits both alike
            order = SIDES if round_index % 2 == 0 else SIDES[::-1]
            for side in order:
                runs[batch_size][side].append(
                    spawn(side, batch_size, arguments))
            project = runs[batch_size]['project'][-1]['rate']
            plain = runs[batch_size]['plain'][-1]['rate']
            print('round {}/{}  batch {:>4}  project {:>7,.0f} samples/s  '
                  'plain {:>7,.0f} samples/s  ratio {:.2f}'.format(
                      round_index + 1, arguments.rounds, batch_size,
                      project, plain, project / plain), flush=True)
    summarize(runs, arguments, load_before)


if __name__ == '__main__':
    main()
