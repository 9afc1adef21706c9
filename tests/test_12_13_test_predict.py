"""Tests of 12-test.test_model and 13-predict.predict."""
import numpy as np
import pytest

from conftest import small_network, task


def test_test_model_equals_evaluate(tiny_data, capfd):
    """test_model returns evaluate's [loss, accuracy] as Python floats."""
    (data, labels), _ = tiny_data
    network = small_network()

    result = task('12-test').test_model(network, data, labels, verbose=False)

    assert capfd.readouterr().out == ''
    assert isinstance(result, list) and len(result) == 2
    assert all(isinstance(value, float) for value in result)
    assert result == pytest.approx(
        network.evaluate(data, labels, verbose=0), rel=1e-6)
    probabilities = network.predict(data, verbose=0)
    accuracy = np.mean(probabilities.argmax(1) == labels.argmax(1))
    assert result[1] == pytest.approx(accuracy)


def test_test_model_verbose_prints_progress(tiny_data, capfd):
    """verbose=True, the default, shows Keras's progress bar."""
    (data, labels), _ = tiny_data

    task('12-test').test_model(small_network(), data, labels)

    assert '2/2' in capfd.readouterr().out


@pytest.mark.parametrize('rows', [63, 65])
def test_test_model_samples_differ(rows, tiny_data):
    """Labels for another number of samples are refused, naming shapes."""
    (data, labels), _ = tiny_data
    labels = np.eye(3, dtype=np.float32)[np.arange(rows) % 3]

    with pytest.raises(ValueError, match=r'\(64, 20\).*\({}, 3\)'.format(
            rows)):
        task('12-test').test_model(small_network(), data, labels)


def test_predict_rows_are_probabilities(tiny_data, capfd):
    """predict gives (m, classes) rows summing to one, quietly."""
    (data, _), _ = tiny_data
    network = small_network()

    predictions = task('13-predict').predict(network, data)

    assert capfd.readouterr().out == ''
    assert predictions.shape == (64, 3)
    np.testing.assert_allclose(predictions.sum(axis=1), np.ones(64),
                               rtol=1e-5)
    np.testing.assert_allclose(predictions, np.asarray(network(data)),
                               rtol=1e-5, atol=1e-7)


def test_predict_verbose_prints_progress(tiny_data, capfd):
    """verbose=True shows Keras's progress bar."""
    (data, _), _ = tiny_data

    task('13-predict').predict(small_network(), data, verbose=True)

    assert '2/2' in capfd.readouterr().out


def test_test_model_wrong_width_leaves_the_model_usable(tiny_data, tmp_path):
    """Labels of 2 columns for a 3-way loaded model used to fail inside
    Keras and break every later evaluate of that model; now they are
    refused first and the right labels then evaluate."""
    (data, labels), _ = tiny_data
    task('9-model').save_model(small_network(), str(tmp_path / 'n.keras'))
    network = task('9-model').load_model(str(tmp_path / 'n.keras'))

    with pytest.raises(ValueError, match=r'3 columns.*\(64, 2\)'):
        task('12-test').test_model(network, data, labels[:, :2])
    with pytest.raises(ValueError, match=r'input shape.*\(64, 19\)'):
        task('12-test').test_model(network, data[:, :19], labels)

    loss, accuracy = task('12-test').test_model(network, data, labels,
                                                verbose=False)
    assert 0 <= accuracy <= 1 and loss > 0


@pytest.mark.parametrize('function', ['12-test', '13-predict'])
def test_no_samples_refused(function, tiny_data):
    """Empty data is refused (Keras 3's predict failed with an
    UnboundLocalError)."""
    (data, labels), _ = tiny_data
    arguments = (data[:0], labels[:0]) if function == '12-test' \
        else (data[:0],)

    with pytest.raises(ValueError, match=r'at least one sample.*\(0, 20\)'):
        getattr(task(function), 'test_model' if function == '12-test'
                else 'predict')(small_network(), *arguments)


def test_predict_wrong_width_is_refused(tiny_data):
    """Data of 19 features for a 20-input network names `data`."""
    (data, _), _ = tiny_data

    with pytest.raises(ValueError, match=r'`data`.*input shape.*\(64, 19\)'):
        task('13-predict').predict(small_network(), data[:, :19])


def test_test_model_and_predict_accept_lists(tiny_data):
    """Python lists give what arrays give, on every line."""
    (data, labels), _ = tiny_data
    network = small_network()

    np.testing.assert_allclose(
        task('13-predict').predict(network, data.tolist()),
        task('13-predict').predict(network, data), rtol=1e-6)
    assert task('12-test').test_model(
        network, data.tolist(), labels.tolist(), verbose=False) == \
        pytest.approx(task('12-test').test_model(network, data, labels,
                                                 verbose=False))
