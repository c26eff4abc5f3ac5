"""What each epoch reports: loss, top-1, top-5 and geo accuracy on the validation photos, as one log line."""
import numpy as np
from mxnet import gluon

import geo


def geo_metrics(prefix, predicted, labels, cells):
    """{prefix + 'geo_<km>km': share} for predicted classes against labels [class, lat, lng]."""
    cell_lat = np.array([cell["lat"] for cell in cells])
    cell_lng = np.array([cell["lng"] for cell in cells])
    within = geo.geo_accuracy(predicted, labels[:, 1], labels[:, 2], cell_lat, cell_lng)
    if not isinstance(within, dict) or sorted(within, key=str) != sorted(geo.THRESHOLDS_KM, key=str):
        raise ValueError("TODO 02.3: geo_accuracy answered {!r}, not a share for each distance: key them by the "
                         "distances themselves, {}".format(within, {km: "share" for km in geo.THRESHOLDS_KM}))
    return {"%sgeo_%dkm" % (prefix, km): share for km, share in within.items()}


def evaluate(net, batches, ctx, cells):
    """Loss, top-1, top-5 and geo accuracy of `net` on every validation photo."""
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    top = min(5, len(cells))
    loss, top1, top5, predicted, truth = 0.0, 0, 0, [], []
    for batch in batches:
        keep = batch.data[0].shape[0] - batch.pad
        scores = net(batch.data[0].as_in_context(ctx[0]))[:keep]
        labels = batch.label[0][:keep].as_in_context(ctx[0])
        loss += loss_fn(scores, labels[:, 0]).sum().asscalar()
        ranked = np.argsort(-scores.asnumpy(), axis=1)[:, :top]
        classes = labels[:, 0].asnumpy().astype(np.int64)
        top1 += int(np.sum(ranked[:, 0] == classes))
        top5 += int(np.sum(ranked == classes[:, None]))
        predicted.append(ranked[:, 0])
        truth.append(labels.asnumpy())
    truth = np.concatenate(truth)
    metrics = {"val_loss": float(loss) / len(truth), "val_top1": top1 / len(truth), "val_top5": top5 / len(truth)}
    metrics.update(geo_metrics("val_", np.concatenate(predicted), truth, cells))
    return metrics


def majority_baseline(train_labels, val_labels, cells):
    """What always answering the cell with the most training photos scores on the validation photos."""
    majority = int(np.bincount(train_labels[:, 0].astype(np.int64), minlength=len(cells)).argmax())
    baseline = {"baseline_cell": majority, "baseline_top1": float(np.mean(val_labels[:, 0] == majority))}
    baseline.update(geo_metrics("baseline_", np.full(len(val_labels), majority), val_labels, cells))
    return baseline


def log(entry):
    """Print one line of key=value pairs: what SageMaker's metric_definitions regexes read (see launch.py)."""
    fields = ("%s=%.4f" % item if isinstance(item[1], float) else "%s=%s" % item for item in entry.items())
    print(" ".join(fields), flush=True)
