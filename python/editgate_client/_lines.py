"""The JSON-lines reply loop shared by edit workers and harness runners: one request per stdin line, one reply line
per request on the real stdout, a failed request answered ok:false (never a dead process)."""
import json
import sys
import traceback

MAX_ERROR = 4000


def _bounded(text, limit=MAX_ERROR):
    """Head and end of a long error message (editgate keeps at most a few KiB of it anyway)."""
    if len(text) <= limit:
        return text
    head = limit // 4
    return f"{text[:head]}\n[... {len(text) - limit} characters dropped ...]\n{text[len(text) - (limit - head):]}"


def answer_lines(stdin, replies, handle):
    """Calls handle(request) for each JSON line of stdin and writes {"id", "ok"[, "error"]} to replies."""
    for line in stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            request = json.loads(line)
            rid = request.get("id")
            handle(request)
            reply = {"id": rid, "ok": True}
        except Exception as e:  # a failed request, never a dead process
            traceback.print_exc(file=sys.stderr)
            reply = {"id": rid, "ok": False, "error": _bounded(f"{type(e).__name__}: {e}")}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
