"""The bot's web page on your machine, without AWS: `chalice local` serves GET / and POST /ask of app.py, step 03's
endpoint (`make serve`, on 127.0.0.1:8080) answers the photos, and moto's server on 127.0.0.1 holds the stage's
DynamoDB table, where the page counts its answers for the daily cap.

    python serve_page.py [--stage dev] [--port 8000] [--endpoint http://127.0.0.1:8080]

(`make serve-bot` runs it.) Ctrl-C stops it; the count goes with it.
"""
import argparse
import logging
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from setup_aws import ensure_table
from stage_config import stage_settings

HERE = Path(__file__).resolve().parent
CHALICE = Path(sys.executable).with_name("chalice")


def endpoint_is_up(url):
    """True when step 03's endpoint answers its health check (GET /ping)."""
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=3) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def local_aws(endpoint):
    """moto's server on a free 127.0.0.1 port, and the environment that sends boto3 there (and to `endpoint`)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server: no line for each DynamoDB call
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": endpoint,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-west-2"),
        "AWS_ACCESS_KEY_ID": "local",  # moto takes any; real credentials never leave this machine
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    return server, env


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--endpoint", default="http://127.0.0.1:8080", help="step 03's endpoint (make serve)")
    args = parser.parse_args(argv)
    endpoint = args.endpoint.rstrip("/")
    if not endpoint_is_up(endpoint):
        sys.exit(f"No endpoint answers on {endpoint}: start it first, in another terminal: make serve")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped as Ctrl-C stops it: chalice local too
    server, env = local_aws(endpoint)
    os.environ.update(env)
    chalice = None
    try:
        table = stage_settings(args.stage)["TABLE_NAME"]
        ensure_table(boto3.client("dynamodb"), table, say=lambda line: None)
        print(f"The bot's page: http://127.0.0.1:{args.port}/ (photos go to {endpoint}; the daily count to table "
              f"{table} in moto, on 127.0.0.1). Ctrl-C stops it.", flush=True)
        command = [str(CHALICE), "local", "--stage", args.stage, "--host", "127.0.0.1", "--port", str(args.port),
                   "--no-autoreload"]  # one process, which stops with this one
        chalice = subprocess.Popen(command, cwd=HERE, env=dict(os.environ))
        return chalice.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if chalice is not None and chalice.poll() is None:
            chalice.terminate()
            chalice.wait()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
