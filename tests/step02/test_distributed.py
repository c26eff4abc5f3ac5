"""Distributed for real: two workers, one parameter server and the scheduler on 127.0.0.1, kvstore dist_sync.

The test starts the processes the way SageMaker's MXNet container does on two hosts: the DMLC_* environment of
MXNet's parameter server, and SM_HOSTS/SM_CURRENT_HOST saying which "host" each worker is. The dataset comes in
shards (prepare.py --processing); each host's channel holds the other host's train shards broken, so a worker that
read a shard not its own would fail.
"""
import json
import os
import socket
import subprocess
import sys
import time

import mxnet as mx
import numpy as np
import pytest

from sharded import make_sharded

WAIT = 300  # seconds the workers may take on a busy machine; a worker that fails ends the wait at once


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.todo("02.4")
def test_two_workers_train_together_and_only_the_first_host_saves(step_folder, data, tmp_path):
    cluster = dict(
        os.environ,
        DMLC_PS_ROOT_URI="127.0.0.1",
        DMLC_PS_ROOT_PORT=str(free_port()),
        DMLC_NODE_HOST="127.0.0.1",
        DMLC_NUM_SERVER="1",
        DMLC_NUM_WORKER="2",
        OMP_NUM_THREADS="1",
    )
    hosts = ["algo-1", "algo-2"]
    # 128 photos: two batches of 32 a worker, enough for dist_sync to sum their gradients at each step.
    shards = make_sharded(data, tmp_path / "sharded", train_shards=4, photos=128)
    own = {"algo-1": ["train-00000", "train-00002"], "algo-2": ["train-00001", "train-00003"]}
    for host, names in own.items():
        (tmp_path / host / "channel").mkdir(parents=True)
        for path in shards.iterdir():
            broken = path.stem.startswith("train-") and path.stem not in names
            (tmp_path / host / "channel" / path.name).write_bytes(b"not a shard" if broken else path.read_bytes())
    # Importing mxnet with DMLC_ROLE=scheduler or server runs that role until the workers are done.
    processes = {
        role: subprocess.Popen([sys.executable, "-c", "import mxnet"], env=dict(cluster, DMLC_ROLE=role))
        for role in ("scheduler", "server")
    }
    for host in hosts:
        env = dict(
            cluster,
            DMLC_ROLE="worker",
            SM_HOSTS=json.dumps(hosts),
            SM_CURRENT_HOST=host,
            SM_CHANNEL_TRAIN=str(tmp_path / host / "channel"),
            SM_MODEL_DIR=str(tmp_path / host / "model"),
            SM_OUTPUT_DATA_DIR=str(tmp_path / host / "output"),
        )
        flags = ["--epochs", "1", "--image-size", "32", "--batch-size", "32"]
        flags += ["--checkpoint-dir", str(tmp_path / host / "checkpoints")]
        with open(tmp_path / f"{host}.log", "w") as log:
            processes[host] = subprocess.Popen(
                [sys.executable, "train.py"] + flags, cwd=step_folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_workers(processes, hosts, tmp_path)
        for role in ("scheduler", "server"):
            processes[role].wait(timeout=60)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    logs = {host: (tmp_path / f"{host}.log").read_text(errors="replace") for host in hosts}
    for host in hosts:
        assert "epoch=1 " in logs[host], f"worker {host} did not train an epoch:\n{logs[host]}"
        assert "kvstore=dist_sync workers=2" in logs[host], f"{host} should train with kvstore dist_sync:\n{logs[host]}"
        assert "reading train shards " + " ".join(own[host]) in logs[host], f"{host} reads its own shards only"

    # Every worker applied the same summed gradients: the trained weights agree (BatchNorm's running statistics are
    # each worker's own, measured on its share of the photos, so they are left out).
    first, second = (mx.nd.load(str(tmp_path / host / "checkpoints" / "epoch-0001.params")) for host in hosts)
    trained = [name for name in first if "running" not in name]
    for name in trained:
        same = np.allclose(first[name].asnumpy(), second[name].asnumpy(), atol=1e-5)
        assert same, f"{name} differs between the workers: they should pull the same weights from the servers"
    assert (tmp_path / "algo-1" / "model" / "model-symbol.json").is_file(), "the first host should save the model"
    assert not (tmp_path / "algo-2" / "model").exists(), "only the first host should save the model"


def wait_for_workers(processes, hosts, logs):
    """Until every worker has ended well; the first that fails ends the wait at once, for its peer would wait for
    it in dist_sync forever (a wrong solution must fail fast)."""
    deadline = time.monotonic() + WAIT
    while True:
        codes = {host: processes[host].poll() for host in hosts}
        # A worker whose Python failed may still hang at exit, in the kvstore's goodbye to the scheduler.
        failed = [host for host, code in codes.items() if code not in (None, 0)
                  or "Traceback (most recent call last)" in (logs / f"{host}.log").read_text(errors="replace")]
        if failed:
            pytest.fail(f"worker {failed[0]} failed:\n{(logs / f'{failed[0]}.log').read_text(errors='replace')}")
        if all(code == 0 for code in codes.values()):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the workers ran longer than {WAIT} s: " + "; ".join(
                f"{host}: {(logs / f'{host}.log').read_text(errors='replace')[-600:]}" for host in hosts))
        time.sleep(0.1)
