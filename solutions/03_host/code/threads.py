"""Every vCPU of the container for the one model-server worker that answers (deploy.py starts just one).

SageMaker's MXNet container starts its workers with OMP_NUM_THREADS=1 (one worker per vCPU, for many requests at
once), and MXNet reads that once, when it is imported, before inference.py runs. So deploy.py also asks for MXNet's
NaiveEngine (MXNET_ENGINE_TYPE), which runs each operator on the thread that calls it: the worker's own thread,
which loads the model and answers every request. model_fn then gives that thread as many OpenMP threads as the
container has vCPUs: its CPU quota (cgroup v2 or v1) or the CPUs it may run on, whichever is fewer. A serverless
endpoint's vCPUs are known only there, at start. WHEREML_THREADS=N sets the number instead (deploy.py --threads).
"""
import ctypes
import math
import os

import mxnet as mx

VARIABLE = "WHEREML_THREADS"
CGROUP = "/sys/fs/cgroup"
MOST = 192  # the vCPUs of SageMaker's largest CPU instances


def use_every_cpu(environ=os.environ):
    """Give the calling thread's MXNet operators every vCPU (or WHEREML_THREADS); the number, or None when MXNet's
    threaded engine runs them (its threads took OMP_NUM_THREADS when MXNet started: serve.py on a laptop)."""
    count = wanted(environ)
    if environ.get("MXNET_ENGINE_TYPE") != "NaiveEngine":
        return None
    mx.base.check_call(mx.base._LIB.MXSetNumOMPThreads(ctypes.c_int(count)))  # MXNet 1.9 has no Python call for it
    return count


def wanted(environ=os.environ, cgroup=CGROUP):
    """WHEREML_THREADS if it is set, else this container's vCPUs."""
    value = environ.get(VARIABLE)
    if value is None:
        return cpu_count(cgroup)
    threads = count(value.strip())
    if threads is None:
        raise ValueError("{}={!r}: give a whole number of threads, 1 or more (at most {}), or leave it unset to use "
                         "every vCPU of the container.".format(VARIABLE, value, MOST))
    return threads


def count(text):
    """A number of threads written in decimal digits, 1..MOST (a superscript two is no number: `isdigit` takes it,
    `int` refuses it), else None. WHEREML_THREADS and `deploy.py --threads` are both read with it."""
    return int(text) if text.isdecimal() and 1 <= int(text) <= MOST else None


def cpu_count(cgroup=CGROUP):
    """The CPUs this process may run on, or fewer when its cgroup's quota allows fewer (rounded up)."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1  # macOS
    quota = cpu_quota(cgroup)
    return max(1, min(available, math.ceil(quota))) if quota else available


def cpu_quota(cgroup=CGROUP):
    """CPUs' worth of time per period that the cgroup allows (e.g. 1.5), or None when it sets no limit."""
    try:
        with open(os.path.join(cgroup, "cpu.max")) as file:  # cgroup v2: "150000 100000", or "max 100000"
            quota, period = file.read().split()[:2]
    except (OSError, ValueError):
        try:  # cgroup v1
            with open(os.path.join(cgroup, "cpu", "cpu.cfs_quota_us")) as file:
                quota = file.read().strip()
            with open(os.path.join(cgroup, "cpu", "cpu.cfs_period_us")) as file:
                period = file.read().strip()
        except OSError:
            return None
    try:
        quota, period = int(quota), int(period)
    except ValueError:  # "max"
        return None
    return quota / period if quota > 0 and period > 0 else None
