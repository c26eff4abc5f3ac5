"""Step 03 as SageMaker serves it: one request's latency through multi-model-server, the container's way, on 127.0.0.1.

    python -m workshop bench step03_serving

The SageMaker MXNet 1.9 inference container starts multi-model-server (Java) with the toolkit's handler service, one
worker per vCPU, each with OMP_NUM_THREADS=1 (sagemaker-mxnet-inference's serving.py). Here the same server runs
the same handler on a folder laid out as the container lays out /opt/ml/model (the model files, and code/ with
inference.py and its modules), on a LocationNet-size model, under:
- the container's defaults (no environment set: 1 worker per vCPU, 1 OpenMP thread each);
- the latency-tuned environment deploy.py sets (deploy.serving_environment: 1 worker using every vCPU);
beside the in-process handler service (serve.py's path) in the same run.
"""
import contextlib
import io
import json
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from sagemaker_inference import environment, model_server  # noqa: E402
from sagemaker_mxnet_serving_container import handler_service, serving  # noqa: E402

from workshop.bench import step03_latency  # noqa: E402  (the LocationNet-size model files, the loader of the step's modules)

STEP = step03_latency.STEP
logging.getLogger("sagemaker.config").setLevel(logging.WARNING)  # its INFO lines would land among the figures
deploy = step03_latency.loader.load(STEP, "deploy")
handler = step03_latency.loader.load(STEP, "handler")
ROUNDS = 20
STARTUP_SECONDS = 300


def container_layout(model_files, base):
    """base/model = the model files + code/ (this step's code/: what deploy.py ships), as in the container."""
    model = base / "model"
    shutil.copytree(model_files, model)
    shutil.copytree(STEP / "code", model / "code", ignore=shutil.ignore_patterns("__pycache__"))
    return model


def free_port():
    """A free port on 127.0.0.1 below 32767, the highest this multi-model-server accepts."""
    while True:
        port = random.randrange(20000, 32767)
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port


@contextlib.contextmanager
def model_server_on(model, variables, scratch):
    """multi-model-server serving `model` with the toolkit's configuration and handler, on 127.0.0.1.

    As sagemaker_inference.model_server.start_model_server does, less what needs the container (writing /etc,
    pip-installing code/requirements.txt, which this venv already holds)."""
    scratch.mkdir()
    port = free_port()
    env = dict(os.environ, SAGEMAKER_BASE_DIR=str(model.parent), SAGEMAKER_PROGRAM="inference.py",
               SAGEMAKER_BIND_TO_PORT=str(port), PYTHONPATH=str(model / "code"), TMPDIR=str(scratch),
               TEMP=str(scratch), **variables)
    for name, value in serving.DEFAULT_ENV_VARS.items():  # serving.py's defaults, unless the model's env says
        env.setdefault(name, value)
    old = dict(os.environ)
    os.environ.update(env)
    try:
        # Private, with no public route (tests/tooling/test_model_server_internals.py fails when it moves).
        config = model_server._generate_mms_config_properties(environment.Environment(), handler_service.__name__)
    finally:
        os.environ.clear()
        os.environ.update(old)
    config_file = scratch / "mms.properties"
    # Here on loopback only, and management on a port of its own (the container shares one; this MMS refuses that).
    management = f"management_address=http://127.0.0.1:{free_port()}"
    config = config.replace("0.0.0.0", "127.0.0.1").replace(f"management_address=http://127.0.0.1:{port}",
                                                          management)
    config_file.write_text(config)
    command = [str(Path(sys.executable).parent / "multi-model-server"), "--start", "--foreground", "--model-store", "/", "--mms-config",
               str(config_file), "--log-config", model_server.DEFAULT_MMS_LOG_FILE,
               "--models", f"model={model}"]
    log = open(scratch / "mms.log", "w")
    server = subprocess.Popen(command, env=env, cwd=str(scratch), stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, server, scratch / "mms.log")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


def wait_until_ready(url, server, log):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("multi-model-server stopped:\n" + log.read_text()[-3000:])
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url + "/ping", timeout=5) as response:
                if json.loads(response.read()).get("status") == "Healthy":  # not "Partial Healthy"
                    return
        time.sleep(1)
    raise SystemExit(f"multi-model-server did not load the model within {STARTUP_SECONDS} s")


def post(url, jpeg):
    request = urllib.request.Request(url + "/invocations", data=jpeg, headers={"Content-Type": "image/jpeg"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def photo(width, height):
    rng = np.random.RandomState(2)
    buffer = io.BytesIO()
    Image.fromarray((rng.rand(height, width, 3) * 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def latencies(paths, jpeg, rounds=ROUNDS):
    """{name: (p50, p95) ms}, the paths taking turns request by request, so that load drift hits them all alike."""
    for answer in paths.values():
        for _ in range(3):
            answer(jpeg)  # warm-up: every worker has answered once
    times = {name: [] for name in paths}
    for _ in range(rounds):
        for name, answer in paths.items():
            started = time.perf_counter()
            answer(jpeg)
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: (np.percentile(t, 50), np.percentile(t, 95)) for name, t in times.items()}


def main():
    scratch = Path(tempfile.mkdtemp(prefix="mms-"))
    try:
        files = scratch / "locationnet"
        files.mkdir()
        step03_latency.locationnet_files(files)
        model = container_layout(files, scratch / "ml")
        jpeg = photo(640, 480)
        service = handler.start(str(model))
        tuned = deploy.serving_environment()
        defaults = f"multi-model-server, container defaults: {os.cpu_count()} workers, OMP_NUM_THREADS=1"
        in_process = "in-process handler service (serve.py), MXNet's default threads"
        deployed = "multi-model-server, deploy.py's environment: " + ", ".join(
            f"{name}={value}" for name, value in sorted(tuned.items()))
        with contextlib.ExitStack() as servers:
            default_url = servers.enter_context(model_server_on(model, {}, scratch / "defaults"))
            tuned_url = servers.enter_context(model_server_on(model, tuned, scratch / "tuned"))
            paths = {
                defaults: lambda body: post(default_url, body),
                deployed: lambda body: post(tuned_url, body),
                in_process: lambda body: handler.invoke(service, str(model), body, "image/jpeg"),
            }
            rows = latencies(paths, jpeg)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    base = rows[defaults][0]
    print("### Step 03 served as SageMaker serves it: one request, LocationNet-size model, 640 x 480 JPEG\n")
    print("| path | p50 ms | p95 ms | p50 vs container defaults |")
    print("| --- | --- | --- | --- |")
    for name, (p50, p95) in rows.items():
        print(f"| {name} | {p50:.0f} | {p95:.0f} | {p50 / base:.2f}x |")
    print(f"\n{ROUNDS} requests each from one client (as the bot sends them), the three paths taking turns, after 3 warm-up "
          f"requests; fp32 with fused layers; same run, {os.cpu_count()} vCPUs. Figures on a shared machine are noisy, and threads "
          f"help only when the vCPUs are free (load average at the end: {os.getloadavg()[0]:.1f}): read the ratios.")


if __name__ == "__main__":
    main()
