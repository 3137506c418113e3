#!/usr/bin/env python3
"""Follow one livetrail session's trail over plain SSE, resuming after drops.

A reference client for any language, standard library only:

    python3 follow_session.py <sessionId> [--url URL] [--from N]

Prints each stored event as one JSON line on stdout, exactly once and in seq order, and exits when
the session completes. The URL defaults to $LIVETRAIL_URL or http://127.0.0.1:3000; $LIVETRAIL_TOKEN,
when set, is sent as `Authorization: Bearer <token>` (needed when the server has access control).

Exit codes: 0 the session completed (or had nothing left after --from); 1 the server refused
(unknown session, bad token, bad request); 2 usage error; 3 the server was unreachable on the very
first attempt (as the `livetrail` CLI); 130 Ctrl-C. Once connected, outages are ridden out by reconnecting forever.
"""

import argparse
import http.client
import json
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

READ_TIMEOUT_S = 20  # the server pings every 5 s, so 20 s without a byte is a dead connection
BACKOFF_FIRST_S, BACKOFF_MAX_S = 0.5, 5.0


def log(message):
    print(f"follow_session: {message}", file=sys.stderr, flush=True)


class Refused(Exception):
    """The server answered, and retrying will not help (exit 1)."""


def sse_frames(stream):
    """Yields (event, id, data) per SSE frame: fields accumulate until a blank line dispatches them."""
    event, frame_id, data = "", None, []
    for raw in stream:  # one line per iteration; each read obeys the socket timeout
        line = raw.decode("utf-8").rstrip("\r\n")  # livetrail ends lines with \n (bare \r is not handled)
        if line == "":
            if data:  # a frame without data (e.g. `retry: 2000`) dispatches nothing
                yield event or "message", frame_id, "\n".join(data)
            event, frame_id, data = "", None, []
            continue
        if line.startswith(":"):  # a comment: the server's `: ping` keep-alive
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)  # multi-line data is joined with "\n"
        elif field == "id":
            frame_id = value
        # `retry` and unknown fields are ignored: this client has its own backoff.


def error_message(err):
    """The `message` of the server's JSON error body, or the HTTP reason."""
    try:
        return json.loads(err.read())["error"]["message"]
    except Exception:
        return err.reason


def open_stream(base_url, session_id, from_seq, last_seq, token):
    """Connects; returns the open response (None for 204) or raises Refused / a network error."""
    query = urllib.parse.urlencode({"from": from_seq})
    url = f"{base_url}/api/sessions/{urllib.parse.quote(session_id, safe='')}/events/stream?{query}"
    headers = {"Accept": "text/event-stream"}
    if last_seq is not None:
        headers["Last-Event-ID"] = str(last_seq)  # resume: wins over ?from=
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=READ_TIMEOUT_S)  # also the per-read timeout
    except urllib.error.HTTPError as err:
        if err.code == 404:
            raise Refused(f"session {session_id} does not exist (404: {error_message(err)})") from None
        if err.code in (401, 403):
            hint = "set LIVETRAIL_TOKEN to a valid token" if err.code == 401 else "the token may not read"
            raise Refused(f"token problem: {hint} ({err.code}: {error_message(err)})") from None
        if err.code < 500 and err.code != 429:
            raise Refused(f"request refused ({err.code}: {error_message(err)})") from None
        raise  # 5xx and 429: worth retrying
    if response.status == 204:  # a finished session with nothing after our position
        response.close()
        return None
    return response


def read_stream(response, emit):
    """Hands each event to emit. True once `complete` is printed, False if the stream just ended."""
    with response:
        for event, frame_id, data in sse_frames(response):
            if event == "reset":  # the server cannot resume from our position: the trail follows from 1
                log(f"server reset the stream ({data}); starting over from seq 1")
                emit(None)
            elif event == "error" and frame_id is None:  # a stream failure; stored `error` events have ids
                failure = json.loads(data)
                if failure.get("code") == "NOT_FOUND":  # the session was deleted while we followed it
                    raise Refused(f"stream ended: {failure.get('message')}")
                raise ConnectionError(f"stream failed: {failure.get('message')}")  # retried like a drop
            elif frame_id is not None and emit(data):
                return True
    return False  # ended before `complete`: the server went away (a restart, a proxy...)


def main():
    parser = argparse.ArgumentParser(description="Follow a livetrail session's events over plain SSE.")
    parser.add_argument("session_id", metavar="sessionId")
    parser.add_argument("--url", default=os.environ.get("LIVETRAIL_URL") or "http://127.0.0.1:3000")
    parser.add_argument("--from", dest="from_seq", metavar="N", type=int, default=0,
                        help="print only events after seq N")
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.url).scheme not in ("http", "https"):
        parser.error(f"--url must be an http:// or https:// URL, not {args.url!r}")
    base_url, token = args.url.rstrip("/"), os.environ.get("LIVETRAIL_TOKEN")
    last_seq = args.from_seq  # the last seq printed (or skipped by --from)

    def emit(data):
        """Prints one event unless already printed; None means reset. Returns True on `complete`."""
        nonlocal last_seq
        if data is None:
            last_seq = 0
            return False
        event = json.loads(data)
        if event["seq"] <= last_seq:  # defensive: never print an event twice
            log(f"dropped duplicate seq {event['seq']} (already printed up to {last_seq})")
            return False
        # Exactly the stored event JSON on one line (multi-line data is re-serialized compactly).
        line = data if "\n" not in data else json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        print(line, flush=True)
        last_seq = event["seq"]
        return event["type"] == "complete"

    reached, failures = False, 0
    while True:
        try:
            # The first attempt sends ?from= alone; every reconnect also says where we are.
            response = open_stream(base_url, args.session_id, args.from_seq,
                                   last_seq if reached else None, token)
            reached, failures = True, 0  # connected: the backoff starts afresh
            if response is None or read_stream(response, emit):
                return 0
            reason = "stream ended"
        except Refused as err:
            log(str(err))
            return 1
        except urllib.error.HTTPError as err:  # 5xx or 429: the server is there, but not serving now
            reached, reason = True, f"HTTP {err.code}"
        except (OSError, http.client.HTTPException) as err:  # refused, reset, timeout, cut mid-chunk
            reason = getattr(err, "reason", None) or str(err) or type(err).__name__
            if not reached:  # the very first attempt: most likely a wrong --url, so say so and stop
                log(f"cannot reach {base_url}: {reason}")
                return 3
        failures += 1
        delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)
        log(f"connection lost ({reason}); reconnecting in {delay:.1f} s with Last-Event-ID: {last_seq}")
        time.sleep(delay)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
