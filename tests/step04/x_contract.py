"""X's own contract, from its OpenAPI spec (x_openapi/openapi.json): every request the bot makes to X in the tests,
and every stand-in answer, is checked against it.

A request is checked for its path and method (one of the spec's operations), the auth the operation allows, each
path and query parameter (no parameter the spec does not name), and its JSON or multipart body. Schemas are checked
with openapi-schema-validator, the JSON Schema dialect of OpenAPI 3.0.
"""
import email
import email.policy
import functools
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from openapi_schema_validator import OAS30Validator, oas30_format_checker

SPEC = json.loads((Path(__file__).with_name("x_openapi") / "openapi.json").read_text())
HOSTS = ("api.twitter.com", "api.x.com")  # tweepy's host and the spec's: the same API
# tweepy 4.17 names the Post fields `tweet.fields`, the name X's API has always accepted and its guide to fields
# (x-api/fundamentals/fields) still shows; the spec calls the same parameter `post.fields`. The bot sends tweepy's
# name, checked as the spec's, and two values the spec's list lacks but X's data dictionary names (and the spec's Post
# schema holds): referenced_tweets (how the poller tells a repost) and in_reply_to_user_id (a reply to the bot).
ALIASES = {"tweet.fields": "post.fields"}
FIELDS_THE_SPEC_LACKS = {"tweet.fields": {"in_reply_to_user_id", "referenced_tweets"}}
AUTH_SCHEMES = {"Bearer": ("BearerToken", "OAuth2UserToken"), "OAuth": ("UserToken",)}


class Violation(AssertionError):
    """A request or an answer that X's spec does not allow."""


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        node = functools.reduce(lambda part, key: part[key], node["$ref"][2:].split("/"), SPEC)
    return node


@functools.cache
def _validator(schema_json):
    # The spec's components travel with each schema, so its "#/components/..." references resolve.
    schema = {"allOf": [json.loads(schema_json)], "components": SPEC["components"]}
    return OAS30Validator(schema, format_checker=oas30_format_checker)


def check_schema(instance, schema, what):
    errors = sorted(_validator(json.dumps(schema, sort_keys=True)).iter_errors(instance), key=str)
    if errors:
        where = "/".join(map(str, errors[0].absolute_path))
        raise Violation(f"{what} breaks X's spec at '{where}': {errors[0].message[:300]}")


def _template_regex(template):
    return re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")


TEMPLATES = [(template, _template_regex(template)) for template in SPEC["paths"]]


def operation(method, path):
    """The spec's operation for `method path`, and the path parameters read from it."""
    for template, pattern in TEMPLATES:  # a literal path (/2/tweets/search) wins over a template (/2/tweets/{id})
        match = pattern.match(path)
        if match and "{" not in template and method.lower() in SPEC["paths"][template]:
            return template, SPEC["paths"][template][method.lower()], {}
    for template, pattern in TEMPLATES:
        match = pattern.match(path)
        if match and method.lower() in SPEC["paths"][template]:
            return template, SPEC["paths"][template][method.lower()], match.groupdict()
    raise Violation(f"X's API has no {method} {path}")


def _parameters(op):
    return {(p["in"], p["name"]): p for p in map(_resolve, op.get("parameters", []))}


def _value(raw, schema):
    """A query or path parameter's text, read as its schema's type (arrays are comma-separated: explode=false)."""
    schema = _resolve(schema)
    if schema.get("type") == "array":
        return [_value(item, schema["items"]) for item in raw.split(",")]
    if schema.get("type") == "integer":
        return int(raw) if raw.lstrip("-").isdigit() else raw
    return raw


def _header(request, name):
    value = request.headers.get(name) or ""
    return value.decode() if isinstance(value, bytes) else value


def _check_auth(request, op, what):
    header = _header(request, "Authorization")
    allowed = {name for requirement in op.get("security", SPEC.get("security", [])) for name in requirement}
    given = AUTH_SCHEMES.get(header.split(" ", 1)[0], ())
    if not allowed.intersection(given):
        raise Violation(f"{what} is signed with {header.split(' ', 1)[0] or 'nothing'}; X allows {sorted(allowed)}")


def _multipart(request):
    head = f"Content-Type: {_header(request, 'Content-Type')}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.body, policy=email.policy.HTTP)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        fields[name] = "<binary>" if part.get_filename() else payload.decode()
    return fields


def _body(request):
    content_type = _header(request, "Content-Type").split(";")[0].strip()
    if request.body in (None, b"", ""):
        return None, None
    if content_type == "application/json":
        return content_type, json.loads(request.body)
    if content_type == "multipart/form-data":
        return content_type, _multipart(request)
    return content_type, request.body


def check_request(request):
    """Raise Violation unless `request` (a requests.PreparedRequest) is one X's spec allows."""
    url = urlsplit(request.url)
    if url.hostname not in HOSTS:
        raise Violation(f"{request.url}: X's API is on {' or '.join(HOSTS)}")
    template, op, path_values = operation(request.method, url.path)
    what = f"{request.method} {template}"
    _check_auth(request, op, what)
    parameters = _parameters(op)
    for name, raw in path_values.items():
        check_schema(_value(raw, parameters[("path", name)]["schema"]), parameters[("path", name)]["schema"],
                     f"{what} path parameter {name}")
    query = parse_qs(url.query, keep_blank_values=True)
    for name, values in query.items():
        parameter = parameters.get(("query", ALIASES.get(name, name)))
        if parameter is None:
            raise Violation(f"{what} has no query parameter {name!r}")
        value = _value(values[-1], parameter["schema"])
        if isinstance(value, list):
            value = [item for item in value if item not in FIELDS_THE_SPEC_LACKS.get(name, ())]
        check_schema(value, parameter["schema"], f"{what} ?{name}")
    for (place, name), parameter in parameters.items():
        if place == "query" and parameter.get("required") and name not in query:
            raise Violation(f"{what} needs the query parameter {name}")
    body_spec = op.get("requestBody")
    content_type, body = _body(request)
    if body_spec is None:
        if body is not None:
            raise Violation(f"{what} takes no body")
        return
    if body is None:
        if body_spec.get("required"):
            raise Violation(f"{what} needs a body ({', '.join(body_spec['content'])})")
        return
    if content_type not in body_spec["content"]:
        raise Violation(f"{what} takes {', '.join(body_spec['content'])}, not {content_type}")
    check_schema(body, body_spec["content"][content_type]["schema"], f"{what} body")


# X's error answers as its guide to errors (x-api/fundamentals/response-codes-and-errors) describes them: some of
# their types (client-forbidden, usage-capped, about:blank) are not among the spec's problem schemas.
DOCUMENTED_PROBLEM = {"type": "object", "required": ["title", "type"],
                      "properties": {"title": {"type": "string"}, "type": {"type": "string"},
                                     "detail": {"type": "string"}, "status": {"type": "integer"}}}


def check_answer(request, status, body):
    """Raise Violation unless a stand-in answer `body` (parsed JSON) to `request` follows X's spec."""
    template, op, _ = operation(request.method, urlsplit(request.url).path)
    what = f"the answer {status} to {request.method} {template}"
    answer = op["responses"].get(str(status))
    if answer is None and 200 <= status < 300:
        raise Violation(f"{what}: X answers {', '.join(op['responses'])}")
    if answer is not None:
        check_schema(body, answer["content"]["application/json"]["schema"], what)
        return
    mapping = _resolve({"$ref": "#/components/schemas/Problem"})["discriminator"]["mapping"]
    if isinstance(body, dict) and body.get("type") in mapping:
        check_schema(body, {"$ref": mapping[body["type"]]}, what)
    else:
        check_schema(body, DOCUMENTED_PROBLEM, what)


def check_calls(calls, off_spec=()):
    """Check every call to X's API that `responses` recorded (X's media host has no spec: it is left out), and
    the answers, but those in `off_spec` ((method, url) of answers a test breaks on purpose)."""
    for call in calls:
        if urlsplit(call.request.url).hostname not in HOSTS:
            continue
        check_request(call.request)
        response = call.response
        answered = response is not None and not isinstance(response, Exception)
        if answered and (call.request.method, call.request.url.split("?")[0]) not in off_spec:
            check_answer(call.request, response.status_code, json.loads(response.content))
