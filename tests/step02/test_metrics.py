"""metrics.py: top-1, top-5, loss and geo accuracy over every val photo, the majority baseline, the log line."""
import mxnet as mx
import numpy as np
import pytest

PARIS, LONDON, NEW_YORK, TOKYO = (48.8566, 2.3522), (51.5074, -0.1278), (40.7128, -74.0060), (35.6762, 139.6503)
# Six cells; only the first three matter for where the photos are.
CELLS = [{"lat": lat, "lng": lng} for lat, lng in (PARIS, NEW_YORK, TOKYO, (0, 0), (10, 10), (-40, 170))]


@pytest.fixture(scope="module")
def metrics(load):
    return load("02_train", "metrics")


@pytest.mark.todo("02.3")
def test_evaluate_scores_every_photo_once(metrics):
    # Photo 0, Paris (cell 0): the network is right. Photo 1, London (cell 0): it says New York, then Paris.
    # Photo 2, Tokyo (cell 2): cell 2 is its lowest score, outside the top 5.
    scores = np.array([
        [9, 1, 0, 0, 0, 0],
        [5, 9, 0, 0, 0, 0],
        [0, 0, -9, 1, 2, 3],
    ], dtype=np.float32)
    labels = np.array([[0, *PARIS], [0, *LONDON], [2, *TOKYO]], dtype=np.float32)
    photos = mx.nd.arange(3).reshape((3, 1))
    batches = mx.io.NDArrayIter(photos, mx.nd.array(labels), batch_size=2, last_batch_handle="pad")

    def net(rows):
        """A stand-in network that looks each photo's scores up."""
        return mx.nd.array(scores)[rows[:, 0]]

    result = metrics.evaluate(net, batches, [mx.cpu()], CELLS)

    log_softmax = scores - np.log(np.exp(scores).sum(1, keepdims=True))
    assert result["val_loss"] == pytest.approx(-np.mean(log_softmax[[0, 1, 2], [0, 0, 2]]), rel=1e-5)
    assert result["val_top1"] == pytest.approx(1 / 3) and result["val_top5"] == pytest.approx(2 / 3)
    # Predicted cells: Paris for Paris (0 km), New York for London (5570 km), cell 5 for Tokyo (far).
    assert result["val_geo_1km"] == pytest.approx(1 / 3) and result["val_geo_2500km"] == pytest.approx(1 / 3)


@pytest.mark.todo("02.3")
def test_majority_baseline_always_answers_the_biggest_cell(metrics):
    train = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    val = np.array([[0, *PARIS], [1, *NEW_YORK], [0, *LONDON]], dtype=float)
    baseline = metrics.majority_baseline(train, val, CELLS)
    assert baseline["baseline_cell"] == 1 and baseline["baseline_top1"] == pytest.approx(1 / 3)
    assert baseline["baseline_geo_25km"] == pytest.approx(1 / 3), "only the New York photo is in the biggest cell"
    assert baseline["baseline_geo_2500km"] == pytest.approx(1 / 3)


def test_log_line_is_key_value_pairs(metrics, capsys):
    metrics.log({"epoch": 3, "train_loss": 0.81234, "val_geo_750km": 0.5})
    assert capsys.readouterr().out == "epoch=3 train_loss=0.8123 val_geo_750km=0.5000\n"
