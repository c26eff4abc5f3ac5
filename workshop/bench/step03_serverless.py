"""Step 03 on Serverless Inference: the memory each model needs and how long model_fn takes (the cold start's share
that is ours), which set deploy.py's --memory default and the bot's endpoint timeouts.

    python -m workshop bench step03_serverless

Each model is loaded in a fresh Python, as a serverless container's model-server worker loads it: import
inference.py, model_fn(model_dir), then one 640 x 480 JPEG through input_fn -> predict_fn -> output_fn. The peak
resident memory of that process and model_fn's wall time are measured in the worker's environment: the container's
OMP_NUM_THREADS=1 and deploy.py's serving environment, with which model_fn gives the worker every vCPU
(code/threads.py). The models: the step-02 checkpoint (the toy world), and LocationNet's shape (ResNet-101 over
15,527 cells, random weights in its own file format) in fp32 and with quantize.py's int8 copy. Then the int8 copy is
served as the container serves it, by multi-model-server (its Java front end and one worker, deploy.py's serverless
environment; workshop/bench/step03_serving.py's set-up), and the peak memory of all its processes is added up. Not measured:
the container's own start (pulling the image), which only AWS can show.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workshop import loader
from workshop.paths import ROOT

STEP = ROOT / "solutions" / "03_host"
RUNS = 3  # fresh Pythons per model; the median is reported
HEADROOM = 1.25  # the container's own processes and a second request's buffers


def measure(model_dir, jpeg_path):
    """In this (fresh) process: {"imports_mb", "model_fn_s", "peak_mb"} of loading model_dir and one request."""
    inference = loader.load(STEP, "inference")

    imports_mb = peak_rss_mb()
    started = time.perf_counter()
    locator = inference.model_fn(model_dir)
    model_fn_s = time.perf_counter() - started
    body = Path(jpeg_path).read_bytes()
    inference.output_fn(inference.predict_fn(inference.input_fn(body, "image/jpeg"), locator), "application/json")
    peak_mb = peak_rss_mb()
    print(json.dumps({"imports_mb": imports_mb, "model_fn_s": model_fn_s, "peak_mb": peak_mb}))


def peak_rss_mb():
    """This process's peak resident memory since it started its program (VmHWM; getrusage's ru_maxrss would
    count the parent's memory at the fork)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def fresh_run(model_dir, jpeg_path, threads=None):
    """measure() in a fresh Python, in a container worker's environment (see the module's docstring); threads=N as
    `deploy.py --threads N` sets it."""
    env = {key: value for key, value in os.environ.items() if key != "WHEREML_THREADS"}
    env.update(OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore", **deploy_module().serving_environment(threads))
    done = subprocess.run([sys.executable, "-m", "workshop.bench.step03_serverless", "--measure", str(model_dir),
                           str(jpeg_path)], env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"Measuring {model_dir} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def deploy_module():
    return loader.load(STEP, "deploy")


def threads_module():
    return loader.load(STEP, "threads")


def endpoint_defaults():
    return loader.load(STEP, "endpoint_defaults")


def medians(runs):
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def fresh_runs(model_dir, jpeg_path):
    return medians([fresh_run(model_dir, jpeg_path) for _ in range(RUNS)])


def model_server_peak_mb(model_files, jpeg, scratch):
    """Peak memory (VmHWM summed over its processes) of multi-model-server serving model_files after one request."""
    import psutil

    from workshop.bench import step03_serving

    model = step03_serving.container_layout(model_files, scratch / "ml")
    variables = deploy_module().serving_environment()  # what a serverless endpoint's container gets
    with step03_serving.model_server_on(model, variables, scratch / "mms") as url:
        step03_serving.post(url, jpeg)
        config = str(scratch / "mms" / "mms.properties")
        # The launcher and the Java front end name the config; the server started a session of its own.
        session = next(_session(p.pid) for p in psutil.process_iter(["cmdline"]) if config in (p.info["cmdline"] or []))
        processes = [p for p in psutil.process_iter() if _session(p.pid) == session]
        return sum(_peak_kb(p.pid) for p in processes) / 1024, len(processes)


def _session(pid):
    try:
        return os.getsid(pid)
    except OSError:
        return None


def _peak_kb(pid):
    try:
        return int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))
    except (OSError, AttributeError):  # gone, or a kernel thread
        return 0


def locationnet_folders(folder, jpegs):
    """LocationNet-shaped files in folder/fp32 with their places (cells.tsv, as `make locationnet` leaves them), and
    the same plus quantize.py's int8 copy in folder/int8."""
    from workshop.bench import step03_latency  # its LocationNet-shaped files and photo-like JPEGs

    fp32, int8_dir = folder / "fp32", folder / "int8"
    fp32.mkdir()
    step03_latency.locationnet_files(fp32)
    cells = step03_latency.loader.load(STEP, "cells")
    cells.write_cells(str(fp32 / "cells.tsv"), cells.read_grids(str(fp32 / "grids.txt")))
    shutil.copytree(fp32, int8_dir)
    inference, quantize = step03_latency.inference, step03_latency.quantize
    original = quantize.read_locator(str(fp32)).warm_up()
    network = quantize.quantize(original.network, [step03_latency.our_preprocess(jpeg) for jpeg in jpegs])
    original.with_network(network, "int8").warm_up()  # a forward pass first, as quantize.py does: export needs it
    inference.int8.write(network, original, str(int8_dir))
    return fp32, int8_dir


def smallest_size(peak_mb):
    sizes = endpoint_defaults().MEMORY_SIZES  # what Serverless Inference offers
    return next((size for size in sizes if size >= peak_mb * HEADROOM), None)


def main():
    from workshop import checkpoint

    toy = checkpoint.ensure("model")
    folder = Path(tempfile.mkdtemp(prefix="serverless-"))
    try:
        from workshop.bench import step03_latency

        jpegs = step03_latency.photos(640, 480)
        jpeg_path = folder / "photo.jpg"
        jpeg_path.write_bytes(jpegs[0])
        fp32, int8_dir = locationnet_folders(folder, jpegs)
        rows = [
            ("the toy world's model (step-02 checkpoint)", fresh_runs(toy, jpeg_path)),
            ("LocationNet-size, fp32 (MKLDNN fused)", fresh_runs(fp32, jpeg_path)),
            ("LocationNet-size, int8 copy", fresh_runs(int8_dir, jpeg_path)),
        ]
        served_mb, processes = model_server_peak_mb(int8_dir, jpegs[0], folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("### Step 03 on Serverless Inference: memory and start-up\n")
    print("| model | Python + MXNet imported, MB | peak RSS: model_fn + one request, MB | model_fn, s | "
          f"smallest serverless size with {HEADROOM:.2f}x headroom |")
    print("| --- | --- | --- | --- | --- |")
    for name, figures in rows:
        size = smallest_size(figures["peak_mb"])
        print("| {} | {:.0f} | {:.0f} | {:.2f} | {} |".format(
            name, figures["imports_mb"], figures["peak_mb"], figures["model_fn_s"],
            f"{size} MB" if size else "more than 6144 MB"))
    size = smallest_size(served_mb)
    print("| LocationNet-size, int8 copy, in multi-model-server (Java front end and 1 worker: {} processes) | | {:.0f} "
          "| | {} |".format(processes, served_mb, f"{size} MB" if size else "more than 6144 MB"))
    print(f"\nMedians of {RUNS} fresh Pythons per model, every vCPU ({threads_module().cpu_count()}) as in the "
          "container, a 640 x 480 JPEG. model_fn is the part of "
          "a cold start that is ours; the container's start (image, model server) comes on top of it. The model "
          "server's row sums each process's peak, an upper bound of what it holds at once.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2], sys.argv[3])
    else:
        main()
