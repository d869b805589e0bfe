"""Helpers for the HTTP API tests: a client (http.client, one connection a
request) that checks every request it sends and every answer it gets
against docs/openapi.yaml (jsonschema), a free port, a token file.

Client.call(method, path, body=None, token=..., expect_valid=True) → Answer;
a request the document says is invalid must be sent with
expect_valid=False (the test then checks the document agrees)."""
import http.client, json, os, socket, ssl, urllib.parse
import jsonschema
import yaml

from daemon_lib import SLOW, check

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SPEC = yaml.safe_load(open(os.path.join(ROOT, "docs", "openapi.yaml")))


def deref(node, seen=()):
    """node with every {"$ref": "#/…"} replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/") and ref not in seen, ref
            target = SPEC
            for part in ref[2:].split("/"):
                target = target[part]
            return deref(target, seen + (ref,))
        return {k: deref(v, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [deref(v, seen) for v in node]
    return node


PATHS = deref(SPEC["paths"])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def token_file(path, tokens, mode=0o600):
    with open(path, "w") as f:
        f.write("# API tokens\n\n" + "".join("  %s  \n" % t for t in tokens))
    os.chmod(path, mode)
    return path


def find_op(method, path):
    """(template, operation or None, path-level item) of path, or (None, None, None)."""
    segs = path.split("/")
    for tmpl, item in PATHS.items():
        t = tmpl.split("/")
        if len(t) != len(segs):
            continue
        ok = True
        for a, b in zip(t, segs):
            if a.startswith("{"):
                ok = ok and b.isdigit() and int(b) >= 1
            else:
                ok = ok and a == b
        if ok:
            return tmpl, item.get(method.lower()), item
    return None, None, None


def valid(schema, value):
    try:
        jsonschema.Draft202012Validator(schema).validate(value)
        return True
    except jsonschema.ValidationError:
        return False


def request_valid(method, path, query, body):
    """Whether the document says the request is valid."""
    tmpl, op, item = find_op(method, path)
    if not op:
        return False
    params = {p["name"]: p for p in item.get("parameters", []) + op.get("parameters", [])
              if p["in"] == "query"}
    for k, vs in query.items():
        if k not in params:
            return False
        try:
            v = int(vs[0])
        except ValueError:
            return False
        if not valid(params[k]["schema"], v):
            return False
    rb = op.get("requestBody")
    if body is None or body == b"":
        return not (rb and rb.get("required"))
    if not rb:
        return False
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return valid(rb["content"]["application/json"]["schema"], doc)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def response_matches(method, path, a):
    """Whether answer a is one the document describes (status, headers,
    content type, body schema); the error answers of unknown routes and
    methods must be the Error object."""
    tmpl, op, item = find_op(method, path)
    ctype = (a.header("Content-Type") or "").strip()
    if not op:
        return a.status in (401, 404, 405) and ctype == "application/json" and valid(
            deref(SPEC["components"]["schemas"]["Error"]), json.loads(a.body))
    resp = op["responses"].get(str(a.status))
    if not resp:
        return False
    for name, h in resp.get("headers", {}).items():
        v = a.header(name)
        if v is None:
            if h.get("required"):
                return False
            continue
        if not valid(h["schema"], v):
            return False
    content = resp.get("content", {})
    if ctype not in content:
        return False
    schema = content[ctype]["schema"]
    if ctype == "application/json":
        return valid(schema, json.loads(a.body))
    if schema.get("format") == "binary":  # bytes as they are (application/zstd)
        return schema.get("type") == "string"
    return valid(schema, a.body.decode())


class Client:
    def __init__(self, port, token, tls_ca=None):
        self.port, self.token, self.tls_ca = port, token, tls_ca
        self.sent = 0

    def conn(self, timeout=30):
        if self.tls_ca:
            ctx = ssl.create_default_context(cafile=self.tls_ca)
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout * SLOW,
                                               context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SLOW)

    def call(self, method, path, body=None, token="default", expect_valid=True, headers=None,
             timeout=40):
        token = self.token if token == "default" else token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        is_valid = request_valid(method, url.path, query, body)
        check(is_valid == expect_valid, "openapi.yaml: %s %s %r is %s, the test says %s"
              % (method, path, (body or b"")[:80], "valid" if is_valid else "invalid",
                 "valid" if expect_valid else "invalid"))
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if body is not None:
            h.setdefault("Content-Type", "application/json")
        c = self.conn(timeout)
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        a = Answer(r.status, r.getheaders(), r.read())
        c.close()
        self.sent += 1
        check(response_matches(method, url.path, a),
              "openapi.yaml describes the answer to %s %s: %d %s %r"
              % (method, path, a.status, a.header("Content-Type"), a.body[:200]))
        return a


def openssl(*args):
    import subprocess
    r = subprocess.run(("openssl",) + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("api: openssl %s failed: %s" % (args[0], r.stderr[-500:]))


def make_ca(d, name):
    """A CA key and certificate (as tests/integration/tls_ca.py makes them)."""
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", crt, "-days", "1", "-subj", "/CN=crawld test " + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    return key, crt


def make_server_cert(d, ca_key, ca_crt):
    """A key and a certificate for IP 127.0.0.1 signed by the CA."""
    key, csr, crt = (os.path.join(d, "server" + e) for e in (".key", ".csr", ".pem"))
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
            "-out", crt, "-days", "1", "-extfile", ext)
    return key, crt
