"""A mirror on 127.0.0.1 (http.server) that serves files as honestly or as badly as a test asks: each GET of a name
takes the next answer planned for it (`plan[name]`, a list of functions), else `honest`."""
import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shutdown_poll import POLL


class Mirror(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files, etags):
        super().__init__(("127.0.0.1", 0), Answer)
        self.files, self.etags, self.plan, self.always, self.requests = dict(files), dict(etags), {}, {}, []
        self.closing = threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/mirror/models/"
        threading.Thread(target=self.serve_forever, kwargs=POLL, daemon=True).start()

    def stop(self):
        self.closing.set()
        self.shutdown()
        self.server_close()


class Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        self.server.requests.append((name, {key.lower(): value for key, value in self.headers.items()}))
        if name not in self.server.files:
            self.send_error(404)
            return
        planned = self.server.plan.get(name)
        how = planned.pop(0) if planned else self.server.always.get(name, honest)
        how(self, self.server.files[name], self.server.etags.get(name))

    def log_message(self, *args):
        pass

    def head(self, status, headers):
        self.send_response(status)
        for key, value in headers.items():
            if value is not None:
                self.send_header(key, str(value))
        self.end_headers()


def requested_start(answer, body, etag, honour_if_range=True):
    """Where an honest server starts its answer: the Range's start when If-Range (if asked) still holds."""
    ranged = answer.headers.get("Range", "")
    if not ranged.startswith("bytes=") or not ranged.endswith("-"):
        return 0
    if honour_if_range and answer.headers.get("If-Range") not in (None, etag):
        return 0
    return int(ranged[6:-1])


def honest(answer, body, etag, cut=None, honour_if_range=True):
    start = requested_start(answer, body, etag, honour_if_range)
    if start >= len(body) and start:
        answer.head(416, {"Content-Range": f"bytes */{len(body)}", "Content-Length": 0})
        return
    headers = {"ETag": etag, "Content-Length": len(body) - start, "Accept-Ranges": "bytes"}
    if start:
        headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
    answer.head(206 if start else 200, headers)
    answer.wfile.write(body[start:] if cut is None else body[start:start + cut])
    if cut is not None:
        answer.close_connection = True


def cut_at(size):
    """An honest answer that stops after `size` bytes of its body, as a dropped connection does."""
    return lambda answer, body, etag: honest(answer, body, etag, cut=size)


def ignoring_if_range(answer, body, etag):
    """Ranges served from whatever the file is now, whatever If-Range says (no validator checked)."""
    honest(answer, body, etag, honour_if_range=False)


def part_to_a_plain_get(answer, body, etag):
    answer.head(206, {"ETag": etag, "Content-Length": 100, "Content-Range": f"bytes 0-99/{len(body)}"})
    answer.wfile.write(body[:100])


def from_the_start_to_a_resume(answer, body, etag):
    """206 to a resume, but the bytes (and their Content-Range) start at 0."""
    if not answer.headers.get("Range"):
        honest(answer, body, etag)
        return
    answer.head(206, {"ETag": etag, "Content-Length": len(body), "Content-Range": f"bytes 0-{len(body) - 1}/{len(body)}"})
    answer.wfile.write(body)


def shifted_resume(answer, body, etag):
    """206 to a resume, starting 1,000 bytes after where it was asked to (a plain GET is answered honestly)."""
    if not answer.headers.get("Range"):
        honest(answer, body, etag)
        return
    start = requested_start(answer, body, etag) + 1000
    answer.head(206, {"ETag": etag, "Content-Length": len(body) - start,
                      "Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"})
    answer.wfile.write(body[start:])


def refusing_ranges(answer, body, etag):
    """416 to every request with a Range; the whole file otherwise."""
    if answer.headers.get("Range"):
        answer.head(416, {"Content-Range": f"bytes */{len(body)}", "Content-Length": 0})
        return
    honest(answer, body, etag)


def gzip_when_allowed(answer, body, etag):
    """gzip whenever Accept-Encoding allows it (as many web servers do)."""
    if "gzip" not in answer.headers.get("Accept-Encoding", ""):
        honest(answer, body, etag)
        return
    packed = gzip.compress(body)
    answer.head(200, {"ETag": etag, "Content-Encoding": "gzip", "Content-Length": len(packed)})
    answer.wfile.write(packed)


def gzip_always(answer, body, etag):
    packed = gzip.compress(body)
    answer.head(200, {"ETag": etag, "Content-Encoding": "gzip", "Content-Length": len(packed)})
    answer.wfile.write(packed)


def never_ending(answer, body, etag):
    """No Content-Length, and a body that goes on until the client hangs up (or the mirror stops)."""
    answer.head(200, {"ETag": etag, "Connection": "close"})
    answer.close_connection = True
    try:
        while not answer.server.closing.is_set():
            answer.wfile.write(b"\0" * 65536)
    except OSError:
        pass


def trickling(answer, body, etag):
    """The file announced whole, then one byte every 0.2 s."""
    answer.head(200, {"ETag": etag, "Content-Length": len(body)})
    try:
        for index in range(len(body)):
            if answer.server.closing.is_set():
                return
            answer.wfile.write(body[index:index + 1])
            answer.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass
