"""`make doctor [BUCKET=name] [ROLE=arn:...] [STAGE=dev] [PROCESSING=N]`: every check, one line each; exit 0 only
when all are ok. It reads and never changes anything in the account."""
import argparse
import os
import queue
import threading

import boto3

from workshop.doctor import SECONDS, Host, account, explain, fix, quotas, role, x_app

CHECKS = [
    ("AWS credentials", account.credentials),
    ("region", account.region),
    ("S3 bucket", account.bucket),
    ("execution role trust", role.trust),
    ("execution role permissions", role.permissions),
    ("SageMaker quotas", quotas.quotas),
    ("X credentials", x_app.x_credentials),
    ("X webhook secret", x_app.webhook_secret),
    ("BOT_USER_ID", x_app.bot_user_id),
    ("budget", account.budget),
]


def run(host, checks=CHECKS):
    """[Line] of every check, each cause once (checks that meet the same missing piece say the same words), within
    the host's deadline: a check still waiting then ends the run with a Line that says so."""
    lines = []
    for number, (name, check) in enumerate(checks):
        answer = within(host.remaining(), check, host, name)
        if answer is None:
            left = ", ".join(later for later, _ in checks[number:])
            lines.append(fix(f"no answer within {host.seconds:g} s (AWS or X accepts connections but does not "
                             f"answer: a proxy or firewall?); not checked: {left}"))
            break
        lines += [line for line in answer if line not in lines]
    return lines


def within(seconds, check, host, name):
    """check(host)'s Lines, an exception turned into its FIX Line, or None when `seconds` passed first. The check
    runs in a daemon thread: one stuck on a socket is left behind and ends with the process."""
    answers = queue.Queue()

    def work():
        try:
            answers.put(check(host))
        except BaseException as error:  # noqa: B036 -- whatever it is, the host gets one sentence, not a traceback
            answers.put([fix(explain(name, error))])

    threading.Thread(target=work, daemon=True).start()
    try:
        return answers.get(timeout=max(seconds, 0))
    except queue.Empty:
        return None


def main(argv=None, say=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", default=os.environ.get("BUCKET"), help="the S3 bucket of s3://BUCKET/whereml/")
    parser.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"), help="the SageMaker execution role ARN")
    parser.add_argument("--stage", default="dev", help="the bot's stage in solutions/04_bot/.chalice/config.json")
    parser.add_argument("--processing", type=int, default=1, help="Processing instances `make data` will ask for")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="the whole run's deadline")
    args = parser.parse_args(argv)
    host = Host(boto3.session.Session(), args.bucket, args.role, args.stage, args.processing, args.seconds)
    lines = run(host)
    for line in lines:
        say(("ok   " if line.ok else "FIX  ") + line.text)
    missing = sum(not line.ok for line in lines)
    say("Ready for the stream." if not missing else f"{missing} to fix before the stream (FIX lines above).")
    return 0 if not missing else 1
