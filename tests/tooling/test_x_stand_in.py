"""workshop/x_stand_in.py: what X sends, written once for the tests of step 04 and the offline demo."""
import base64

from workshop import x_stand_in
from workshop.demo import stand_ins


def test_the_signature_is_hmac_sha256_of_the_body_in_base64():
    # RFC 4231, test case 2
    expected = base64.b64encode(bytes.fromhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    assert x_stand_in.signature(b"what do ya want for nothing?", "Jefe") == "sha256=" + expected.decode()


def test_a_post_id_is_milliseconds_since_xs_epoch_above_22_bits_of_sequence():
    assert x_stand_in.post_id_at(x_stand_in.X_EPOCH_MS / 1000 + 1, sequence=5) == str((1000 << 22) + 5)
    assert x_stand_in.post_id_at(1_700_000_000) == str((1_700_000_000_000 - 1288834974657) << 22)


def test_the_demo_signs_and_numbers_its_mention_as_the_tests_do():
    body = b'{"data": {}}'
    assert stand_ins.x_signature(body) == x_stand_in.signature(body, stand_ins.OFFLINE["X_CONSUMER_SECRET"])
    settings = {"BOT_USER_ID": "1", "BOT_SCREEN_NAME": "whereml_bot"}
    post_id = int(stand_ins.mention(settings)["data"]["payload"]["id"])
    assert post_id % (1 << 22) == 0 and post_id > int(x_stand_in.post_id_at(1_700_000_000))
