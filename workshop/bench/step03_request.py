"""Issue 35, goal 2: one request costs what the int8 forward pass costs (LocationNet-size, random weights).

    python -m workshop bench step03_request

Side by side in one process, in turns, on the same JPEGs (640 x 480 and 2048 x 1536) and the same threads:
- the endpoint: bytes in, JSON out, through the SageMaker MXNet handler service (handler.py) on a folder with
  quantize.py's int8 copy, as serve.py and the container run it;
- the int8 forward pass alone: the same network on an input already prepared;
- the original WhereML path (step03_latency.py's Original: a bound Module, skimage-style resize, fp32);
- the photo's decode alone (photo.decode: Pillow's libjpeg-turbo at the draft scale, the smallest of 1/2, 1/4, 1/8
  that keeps the short side the model resizes to): what no endpoint of this model avoids, so (forward + decode) /
  forward is the floor of the endpoint's ratio on this CPU.
Limits: the endpoint at most 1.1x the forward pass; at most 0.3x the original on a CPU with AVX-512 VNNI, 0.45x on
one with AVX2 only. Prints ours / limit (at most 1 meets the goal).
"""
import shutil
import tempfile
from pathlib import Path

from workshop.bench import cpu_flags, machine_flags, step03_latency

FORWARD_LIMIT = 1.1
ORIGINAL_LIMIT = {"AVX-512 VNNI": 0.3}.get(cpu_flags(), 0.45)


def int8_folder(folder):
    """LocationNet's files with quantize.py's int8 copy, calibrated on photo-like JPEGs."""
    quantize, int8 = step03_latency.quantize, step03_latency.loader.load(step03_latency.STEP, "int8")
    step03_latency.locationnet_files(folder)
    fp32 = quantize.read_locator(str(folder)).warm_up()
    network = quantize.quantize(fp32.network, [step03_latency.our_preprocess(j) for j in step03_latency.photos(640, 480)])
    fp32.with_network(network, "int8").warm_up()  # export needs a forward pass first
    int8.write(network, fp32, str(folder))


def main():
    handler = step03_latency.loader.load(step03_latency.STEP, "handler")
    photo = step03_latency.inference.photo
    folder = Path(tempfile.mkdtemp(prefix="request-"))
    rows = []
    try:
        int8_folder(folder)
        service = handler.start(str(folder))
        locator = step03_latency.loader.load(step03_latency.STEP, "int8").load(str(folder)).warm_up()
        original = step03_latency.Original(folder)
        for width, height in step03_latency.SIZES:
            jpegs = step03_latency.photos(width, height)
            prepared = step03_latency.our_preprocess(jpegs[0])

            def endpoint(jpeg):
                status, _, _ = handler.invoke(service, str(folder), jpeg, "image/jpeg", "application/json")
                assert status == 200

            def decode(jpeg):
                return photo.decode(photo.open_photo(jpeg), locator.resize)

            times = step03_latency.latencies({"endpoint": endpoint, "original": original, "decode": decode,
                                              "forward": lambda jpeg: locator.network(prepared).wait_to_read()}, jpegs)
            p50 = {name: p50 for name, (p50, _) in times.items()}  # each path in turn, on the same photo
            rows.append(((width, height), decode(jpegs[0]).size, p50))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("### Issue 35, goal 2: one request against the int8 forward pass, LocationNet-size model\n")
    print(machine_flags() + "\n")
    print("| photo | endpoint p50 ms | int8 forward pass p50 ms | original path p50 ms | endpoint / forward "
          f"(limit {FORWARD_LIMIT}) | ours / limit | endpoint / original (limit {ORIGINAL_LIMIT}) | ours / limit |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (width, height), _, p50 in rows:
        forward, original = p50["endpoint"] / p50["forward"], p50["endpoint"] / p50["original"]
        print(f"| {width} x {height} | {p50['endpoint']:.1f} | {p50['forward']:.1f} | {p50['original']:.1f} | "
              f"{forward:.2f}x | {forward / FORWARD_LIMIT:.2f} | {original:.2f}x | {original / ORIGINAL_LIMIT:.2f} |")
    print()
    for (width, height), decoded, p50 in rows:
        floor = (p50["forward"] + p50["decode"]) / p50["forward"]
        rest = p50["endpoint"] - p50["forward"] - p50["decode"]
        print(f"- {width} x {height}: the JPEG decode alone (libjpeg-turbo at 1/{width // decoded[0]} scale, "
              f"{decoded[0]} x {decoded[1]}) takes {p50['decode']:.1f} ms, so the floor of endpoint / forward on this "
              f"CPU is (forward + decode) / forward = {floor:.2f}x"
              f"{f', over the limit {FORWARD_LIMIT} before any other work' if floor > FORWARD_LIMIT else ''}; "
              f"the rest (checks, resize, normalise, softmax, top-k, JSON, handler) takes {rest:.1f} ms.")
    print(f"\n{step03_latency.ROUNDS} timed calls of each, in turns. The CPU has {cpu_flags()}: int8 pays off most with VNNI.")


if __name__ == "__main__":
    main()
