"""Download the Lambda's wheels once, so that `chalice package` and `chalice deploy` build without the network.

    python fetch_wheels.py                        # -> ../../build/lambda-wheels (needs PyPI, once)
    PIP_NO_INDEX=1 PIP_FIND_LINKS=../../build/lambda-wheels chalice package --stage dev ../../build/package

Chalice builds deployment.zip from requirements.txt by running pip with your environment, so pip's own settings
(PIP_NO_INDEX, PIP_FIND_LINKS) point it at this folder instead of PyPI. The wheels are the ones Lambda can run:
manylinux x86_64 builds for the runtime chalice picks (this Python's version) and that runtime's glibc.
"""
import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DEST = HERE.parent.parent / "build" / "lambda-wheels"
# glibc of Lambda's Python runtimes: Amazon Linux 2 up to python3.11, Amazon Linux 2023 after.
RUNTIME_GLIBC_MINOR = {(3, 10): 26, (3, 11): 26}


def pip_download_command(dest, version=sys.version_info[:2]):
    """The pip command that fetches requirements.txt as wheels for the Lambda runtime of this Python version."""
    glibc_minor = RUNTIME_GLIBC_MINOR.get(version, 34)
    platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(17, glibc_minor + 1)] + ["manylinux2014_x86_64"]
    command = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--dest", str(dest)]
    for platform in platforms:
        command += ["--platform", platform]
    abi = f"cp{version[0]}{version[1]}"
    return command + ["--implementation", "cp", "--python-version", f"{version[0]}.{version[1]}", "--abi", abi,
                      "-r", str(HERE / "requirements.txt")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="folder for the wheels")
    args = parser.parse_args(argv)
    args.dest.mkdir(parents=True, exist_ok=True)
    if subprocess.run(pip_download_command(args.dest)).returncode != 0:
        raise SystemExit("pip could not fetch the Lambda's wheels: check the network (PyPI) and try again.")
    print(f"Lambda wheels in {args.dest}: set PIP_NO_INDEX=1 PIP_FIND_LINKS={args.dest} for chalice.")


if __name__ == "__main__":
    main()
