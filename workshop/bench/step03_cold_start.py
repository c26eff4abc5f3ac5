"""Issue 35, goal 1: the int8 endpoint starts faster and smaller than fp32 (LocationNet-size, random weights).

    python -m workshop bench step03_cold_start

model_fn(model_dir) and one 640 x 480 photo in a fresh Python each time (step03_serverless.py's measure(), in a
container worker's environment: every vCPU, code/threads.py), on LocationNet's files in fp32 and on the same folder
with quantize.py's int8 copy (its batch norms folded: batch_norm_folding.py), taking turns so that load on the
machine hits both alike. Then multi-model-server serving the int8 copy as a serverless endpoint does (its Java front
end and one worker): the peak that sets endpoint_defaults.py's SERVERLESS_MEMORY_MB.
Prints each figure beside its limit and the ratio ours / limit (at most 1 meets the goal).

    python -m workshop bench step03_cold_start              # every vCPU, as deployed
    python -m workshop.bench.step03_cold_start --threads 1  # as `deploy.py --threads 1` (steadier on a busy machine)
    python -m workshop.bench.step03_cold_start --no-server  # without the multi-model-server row
"""
import shutil
import sys
import tempfile
from pathlib import Path

from workshop.bench import machine_flags, step03_latency, step03_serverless

TURNS = 3
TIME_LIMIT = 0.6  # int8 model_fn at most 0.6x fp32's
MEMORY_LIMIT = 1.0  # and its peak at most fp32's


def main():
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else None
    endpoint = step03_serverless.endpoint_defaults()
    folder = Path(tempfile.mkdtemp(prefix="cold-start-"))
    try:
        jpegs = step03_latency.photos(640, 480)
        jpeg_path = folder / "photo.jpg"
        jpeg_path.write_bytes(jpegs[0])
        fp32, int8 = step03_serverless.locationnet_folders(folder, jpegs)
        runs = {"fp32": [], "int8": []}
        for _ in range(TURNS):
            for name, model in (("fp32", fp32), ("int8", int8)):
                runs[name].append(step03_serverless.fresh_run(model, jpeg_path, threads))
        served_mb, processes = (step03_serverless.model_server_peak_mb(int8, jpegs[0], folder)
                                if "--no-server" not in sys.argv else (None, 0))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    count = threads or step03_serverless.threads_module().cpu_count()
    fp32_run, int8_run = step03_serverless.medians(runs["fp32"]), step03_serverless.medians(runs["int8"])
    time_ratio = int8_run["model_fn_s"] / fp32_run["model_fn_s"]
    memory_ratio = int8_run["peak_mb"] / fp32_run["peak_mb"]
    print("### Issue 35, goal 1: cold start, LocationNet-size model\n")
    print(machine_flags() + "\n")
    print("| | fp32 | int8 | int8 / fp32 | limit | ours / limit |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| model_fn, s | {fp32_run['model_fn_s']:.2f} | {int8_run['model_fn_s']:.2f} | {time_ratio:.2f}x | "
          f"{TIME_LIMIT}x | {time_ratio / TIME_LIMIT:.2f} |")
    print(f"| peak RSS (model_fn + one photo), MB | {fp32_run['peak_mb']:.0f} | {int8_run['peak_mb']:.0f} | "
          f"{memory_ratio:.2f}x | {MEMORY_LIMIT}x | {memory_ratio / MEMORY_LIMIT:.2f} |")
    print(f"\nMedians of {TURNS} fresh Pythons each (fp32 and int8 taking turns), each a container's worker with "
          f"deploy.py's environment: {count} thread{'s' if count > 1 else ''}{'' if threads else ' (every vCPU)'}.")
    if served_mb:
        size = step03_serverless.smallest_size(served_mb)
        print(f"multi-model-server serving the int8 copy ({processes} processes): peak {served_mb:.0f} MB; the "
              f"smallest serverless size with {step03_serverless.HEADROOM:.2f}x headroom is {size} MB "
              f"(deploy.py's default: {endpoint.SERVERLESS_MEMORY_MB} MB, ours / limit "
              f"{size / endpoint.SERVERLESS_MEMORY_MB if size else float('inf'):.2f}).")


if __name__ == "__main__":
    main()
