"""The supervisor<->worker frames for tests: a 4-byte big-endian length, then
JSON, or for a page result the binary layout of common/wire.h (frame_result):
"CRR2", 10 big-endian int64 fields, 6 big-endian uint32 section lengths, then
the sections stats, final_url, record, links, warc, body."""
import json, struct

MAGIC = b"CRR2"
FIELDS = ("task_id", "rss_kb", "js_heap_kb", "arena_retained_kb", "flags", "status", "bytes",
          "fetch_us", "parse_us", "js_us")
SECTIONS = ("stats", "final_url", "record", "links", "warc", "body")
NSEC = len(SECTIONS)
FR_RETIRE, FR_FAILED, FR_NOFOLLOW, FR_JS = 1, 2, 4, 8


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def encode_result(fields: dict, sections: dict) -> bytes:
    """One result frame (length prefix included); missing fields are 0 and
    missing sections empty."""
    body = [sections.get(k, b"") for k in SECTIONS]
    hdr = MAGIC + struct.pack(">10q", *[fields.get(k, 0) for k in FIELDS])
    hdr += struct.pack(">%dI" % NSEC, *[len(b) for b in body])
    return frame(hdr + b"".join(body))


def decode(payload: bytes):
    """A frame's payload as a dict: JSON messages as they are; a result as
    {"type": "result", "task_id", "worker": stats (plus the header's
    numbers and "retire"), "page": the record, "links": [...], "warc": bytes,
    "body": bytes (a raw fetch's), "header": every field}."""
    if not payload.startswith(MAGIC):
        return json.loads(payload)
    n = 4 + 80 + 4 * NSEC
    if len(payload) < n:
        raise ValueError("result header cut short")
    vals = struct.unpack(">10q", payload[4:84])
    lens = struct.unpack(">%dI" % NSEC, payload[84:n])
    if n + sum(lens) != len(payload):
        raise ValueError("result sections do not add up")
    sec, off = {}, n
    for k, ln in zip(SECTIONS, lens):
        sec[k] = payload[off:off + ln]
        off += ln
    hdr = dict(zip(FIELDS, vals))
    worker = json.loads(sec["stats"]) if sec["stats"] else {}
    return {"type": "result", "task_id": hdr["task_id"], "header": hdr, "worker": worker,
            "final_url": sec["final_url"].decode() or None,
            "page": json.loads(sec["record"]), "record_raw": sec["record"],
            "links": [l for l in sec["links"].decode().split("\n") if l],
            "warc": sec["warc"], "body": sec["body"]}
