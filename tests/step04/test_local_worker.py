"""local_worker.py: the queue drained into the worker with the dev stage's environment (a dry run)."""
import json

from moto import mock_aws

from bot_stand_ins import JPEG, P1, aws_client, serve_photo


def test_queued_work_is_answered_in_a_dry_run_and_deleted(load, env, x, tmp_path, capsys, monkeypatch):
    local_worker = load("04_bot", "local_worker")
    monkeypatch.setenv("DRY_RUN", "0")  # the dev stage's DRY_RUN=1 wins over the shell
    with mock_aws():
        sqs = aws_client("sqs")
        url = sqs.create_queue(QueueName="whereml-dev-work")["QueueUrl"]
        photo = "https://pbs.twimg.com/media/Flocal.jpg"
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"tweet_id": P1, "photo_url": photo, "author": "a"}))
        serve_photo(x, photo, body=JPEG)
        assert local_worker.main(["--stage", "dev", "--once"]) == 1
        assert sqs.receive_message(QueueUrl=url).get("Messages") is None, "an answered message is deleted"
    assert f"DRY_RUN: @your_bot would reply to tweet {P1}" in capsys.readouterr().out
    assert (tmp_path / f"reply-{P1}.png").exists()
