"""Lambda's SQS trigger, on your machine: `chalice local` serves only the webhook, so this hands the queued work
items to the worker (answer_mention) with the stage's environment, and deletes each one it answers.

    python local_worker.py [--stage dev] [--once]

With step 03's local endpoint and moto's server standing in for AWS (see the step README):
    AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=http://127.0.0.1:8080 \\
        python local_worker.py --stage dev
"""
import argparse
import sys
from pathlib import Path

import boto3
from chalice.test import Client

from app import app
from stage_config import stage_settings

HERE = Path(__file__).resolve().parent


def drain(client, sqs, queue_url, wait_seconds):
    """Run each visible message through the worker; returns how many were handled."""
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds)
    handled = 0
    for message in messages.get("Messages", []):
        event = client.events.generate_sqs_event(message_bodies=[message["Body"]])
        event["Records"][0]["receiptHandle"] = message["ReceiptHandle"]
        try:
            client.lambda_.invoke("answer_mention", event)
        except Exception as error:  # as on Lambda: the message comes back after its visibility timeout
            print(f"The worker failed ({error.__class__.__name__}: {error}); SQS will hand it back.", file=sys.stderr)
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        handled += 1
    return handled


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--once", action="store_true", help="handle what is queued now, then stop")
    args = parser.parse_args(argv)
    settings = stage_settings(args.stage)
    client = Client(app, stage_name=args.stage, project_dir=str(HERE))
    sqs = boto3.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=settings["QUEUE_NAME"])["QueueUrl"]
    print(f"Handing the messages of {queue_url} to the worker (Ctrl-C to stop).")
    try:
        while True:
            handled = drain(client, sqs, queue_url, wait_seconds=0 if args.once else 10)
            if args.once:
                return handled
    except KeyboardInterrupt:
        return None


if __name__ == "__main__":
    main()
