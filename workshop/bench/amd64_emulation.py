"""How much slower training is in an emulated amd64 (Docker on Apple Silicon without Rosetta), measured with QEMU.

    python -m workshop bench amd64_emulation

Runs the same training steps of the default network natively and under `qemu-x86_64 -cpu Nehalem` (user-mode
emulation of an SSE4.2 x86_64 CPU: no kernel settings, no binfmt), one thread each, and compares their CPU time, which
other work on the machine does not inflate. Without qemu-x86_64 (`apt-get install qemu-user`) it says so.
"""
import json
import os
import shutil
import subprocess
import sys
import time

STEPS = {"native": 10, "emulated": 3}


def cpu_seconds_per_step(steps):
    """In this process: the CPU time of one training step on a batch in memory, after two warm-up steps."""
    from workshop.bench import step02_training as training

    data = training.checkpoint.ensure("data")
    about = json.loads((data / "dataset.json").read_text())
    size, classes, batch = about["image_size"] * 7 // 8, about["cells"], 64
    ctx = [training.mx.cpu()]
    net, trainer = training.trainer_for(training.network.DEFAULT_NETWORK, classes, ctx)
    batches = training.SameBatch(size, batch, classes)
    for _ in range(2):
        training.train.train_epoch(net, trainer, batches, 1, ctx, batch)
    started = time.process_time()
    for _ in range(steps):
        training.train.train_epoch(net, trainer, batches, 1, ctx, batch)
    return (time.process_time() - started) / steps


def measured(prefix, steps):
    command = prefix + [sys.executable, __file__, "--steps", str(steps)]
    answer = subprocess.run(command, env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True, text=True,
                            check=True)
    return float(answer.stdout.split()[-1])


def main():
    print("### An emulated amd64 (the dev container on Apple Silicon without Rosetta)\n")
    qemu = shutil.which("qemu-x86_64")
    if not qemu:
        print("Not measured: qemu-x86_64 is not installed (`apt-get install qemu-user`).")
        return
    native = measured([], STEPS["native"])
    emulated = measured([qemu, "-cpu", "Nehalem"], STEPS["emulated"])
    print(f"One training step of the default network, one thread: {native:.3f} CPU s natively, {emulated:.1f} CPU s "
          f"under `qemu-x86_64 -cpu Nehalem`: {emulated / native:.0f}x.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--steps"]:
        print(cpu_seconds_per_step(int(sys.argv[2])))
    else:
        main()
