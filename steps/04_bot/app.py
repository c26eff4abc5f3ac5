"""WhereML's X bot: a webhook that only checks and enqueues, a worker that answers, a poller for the rest; and a web
page that answers a photo dropped on it with the same reply and map.

X -> POST /twitter/webhook -> SQS -> answer_mention -> SageMaker endpoint -> a reply with places, flags and a map.
A browser -> GET / (the page) -> POST /ask with a photo -> SageMaker endpoint -> the same reply and map, on the page.
"""
import json
import logging
import os

from botocore.exceptions import BotoCoreError, ClientError
from chalice import BadRequestError, Chalice, ChaliceViewError, ForbiddenError, Rate, Response

from chalicelib import mentions, secrets, settings, web_page, webhook, work_queue, worker

app = Chalice(app_name="whereml-bot")
app.api.binary_types.append("multipart/form-data")  # so API Gateway hands the page's photo over as bytes
logging.getLogger("chalicelib").setLevel(logging.INFO)

# Chalice imports this file with the stage's environment variables (.chalice/config.json) when it deploys or
# packages, so the worker listens to that stage's queue.
WORK_QUEUE = os.environ.get("QUEUE_NAME", "whereml-dev-work")


def _configured():
    """The stage's settings and the app's consumer secret, or a 500 that says what to set up."""
    try:
        config = settings.load()
        return config, secrets.load(config.secrets_param).consumer_secret
    except settings.NotConfigured as error:
        raise ChaliceViewError(str(error)) from None


def _is_text(value):
    """True for a str that can be sent as UTF-8: outside input may hold a lone surrogate ("\\udc80")."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


@app.route("/twitter/webhook", methods=["GET"])
def answer_crc():
    token = (app.current_request.query_params or {}).get("crc_token")
    if not token or not _is_text(token):
        raise BadRequestError("Pass X's challenge as the crc_token query parameter.")
    _, consumer_secret = _configured()
    return webhook.crc_response(consumer_secret, token)


@app.route("/twitter/webhook", methods=["POST"])
def receive_events():
    request = app.current_request
    config, consumer_secret = _configured()
    signature = request.headers.get("x-twitter-webhooks-signature")
    readable = signature is None or _is_text(signature)
    if not (readable and webhook.signature_is_valid(consumer_secret, request.raw_body, signature)):
        raise ForbiddenError("The x-twitter-webhooks-signature header does not sign this body with the app's secret.")
    try:
        event = json.loads(request.raw_body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python's stack
        raise BadRequestError("The body is not JSON, or is nested too deep.") from None
    if not isinstance(event, dict):
        raise BadRequestError("The body must be a JSON object (an X Activity or Account Activity delivery).")
    try:
        queued = work_queue.enqueue(config.queue_name, webhook.work_items(event, config.bot_user_id))
    except (BotoCoreError, ClientError, work_queue.NotQueued) as error:  # our queue, not the caller: a 500 naming it
        raise ChaliceViewError(f"Could not queue the work for {config.queue_name}: {error}") from None
    return {"queued": queued}


# One message a call, so one failure retries one tweet; at most five at once, so the endpoint is not swamped.
@app.on_sqs_message(queue=WORK_QUEUE, batch_size=1, maximum_concurrency=5)
def answer_mention(event):
    for record in event:
        worker.handle(record.body, record.receipt_handle)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def poll_mentions(event):
    config = settings.load()
    if config.poll_mentions:  # off unless POLL_MENTIONS=1 for the stage
        mentions.poll(config)


@app.route("/", methods=["GET"])
def page():
    return _response(web_page.page(app.current_request.context.get("path")))


@app.route("/ask", methods=["POST"], content_types=["multipart/form-data"])
def ask_about_a_photo():
    request = app.current_request
    try:
        config = settings.load()
    except settings.NotConfigured as error:
        raise ChaliceViewError(str(error)) from None
    answer = web_page.ask(request.raw_body, request.headers.get("content-type"), request.headers.get("accept"),
                          config.endpoint_name, config.table_name, request.context.get("path"))
    return _response(answer)


def _response(answer):
    return Response(body=answer.body, status_code=answer.status, headers=answer.headers)
