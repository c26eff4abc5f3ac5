"""code/threads.py: the one worker answers with every vCPU of its container, counted at start, or WHEREML_THREADS."""
import json
import os
import subprocess
import sys

import pytest

AVAILABLE = len(os.sched_getaffinity(0))


def cgroup(tmp_path, v2=None, v1=None):
    """A cgroup folder as the container shows it: cgroup v2's cpu.max, or v1's quota and period."""
    if v2 is not None:
        (tmp_path / "cpu.max").write_text(v2 + "\n")
    if v1 is not None:
        (tmp_path / "cpu").mkdir()
        (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
    return str(tmp_path)


@pytest.mark.parametrize("v2, v1, quota", [
    ("150000 100000", None, 1.5),
    ("max 100000", None, None),
    (None, (200000, 100000), 2.0),
    (None, (-1, 100000), None),
    (None, None, None),
    ("garbage", None, None),
], ids=["v2: 1.5 CPUs", "v2: no limit", "v1: 2 CPUs", "v1: no limit", "no cgroup files", "an unreadable cpu.max"])
def test_the_cpu_quota_is_read_from_cgroup_v2_or_v1(host, tmp_path, v2, v1, quota):
    assert host("threads").cpu_quota(cgroup(tmp_path, v2, v1)) == quota


@pytest.mark.parametrize("v2, expected", [
    ("50000 100000", 1),  # half a CPU still needs one thread
    ("150000 100000", min(2, AVAILABLE)),  # rounded up, never above the CPUs it may run on
    ("6400000 100000", AVAILABLE),  # a quota above the CPUs available
    ("max 100000", AVAILABLE),
])
def test_the_count_is_the_quota_or_the_cpus_available_whichever_is_fewer(host, tmp_path, v2, expected):
    assert host("threads").cpu_count(cgroup(tmp_path, v2)) == expected


def test_whereml_threads_sets_the_number(host, tmp_path):
    assert host("threads").wanted({"WHEREML_THREADS": "3"}, cgroup(tmp_path, "100000 100000")) == 3
    assert host("threads").wanted({}, cgroup(tmp_path, "100000 100000")) == 1


@pytest.mark.parametrize("value", ["0", "-2", "two", "", " ", "1.5", "4 threads", "\u00b2", "193"])
def test_a_bad_whereml_threads_is_one_clear_error(host, value):
    with pytest.raises(ValueError, match=r"WHEREML_THREADS=.*whole number of threads, 1 or more \(at most 192\)"):
        host("threads").wanted({"WHEREML_THREADS": value})


def test_with_mxnets_threaded_engine_nothing_is_changed(host):
    """serve.py on a laptop: MXNet's engine threads took OMP_NUM_THREADS when it started; model_fn leaves them."""
    assert host("threads").use_every_cpu({"WHEREML_THREADS": "2"}) is None


WORKER = """
import ctypes, json, os, sys
sys.path.insert(0, sys.argv[1])  # 03_host: handler.py, and code/ as the container lays it out
import handler
service = handler.start(sys.argv[2])
status, _, _ = handler.invoke(service, sys.argv[2], open(sys.argv[3], "rb").read(), "image/jpeg", "application/json")
gomp = ctypes.CDLL("libgomp.so.1")  # the OpenMP that MXNet runs its operators on
print(json.dumps({"status": status, "threads": gomp.omp_get_max_threads(),
                  "os_threads": len(os.listdir("/proc/self/task"))}))
"""


def worker(tree, model_dir, jpeg, environment):
    """A model-server worker as the container starts it (OMP_NUM_THREADS=1) with deploy.py's environment: the model
    loaded and one request answered through the real handler service, in this thread."""
    env = {key: value for key, value in os.environ.items() if key != "WHEREML_THREADS"}
    env.update(OMP_NUM_THREADS="1", **environment)
    done = subprocess.run([sys.executable, "-c", WORKER, str(tree / "03_host"), model_dir, str(jpeg)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_worker_answers_with_every_vcpu_of_its_container(host, tree, model_dir, val_photos, tmp_path):
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(val_photos[0][0])
    deploy = host("deploy")
    every = worker(tree, model_dir, jpeg, deploy.serving_environment())
    one = worker(tree, model_dir, jpeg, deploy.serving_environment(threads=1))
    assert every["status"] == one["status"] == 200
    assert every["threads"] == host("threads").cpu_count(), "model_fn gives the worker's thread every vCPU"
    assert one["threads"] == 1, "deploy --threads 1 (WHEREML_THREADS=1) keeps it to one"
    if AVAILABLE > 1:
        assert every["os_threads"] > one["os_threads"], "the network ran on OpenMP threads of its own"
