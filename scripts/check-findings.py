#!/usr/bin/env python3
"""Raw-socket and data helpers for scripts/check-findings (issue 12's eleven findings).

Most subcommands print one JSON object on stdout. Only the standard library is used, so it
runs on a fresh Debian 12 with python3 installed by scripts/install-deps.

  send HOST PORT REQUEST        REQUEST with C escapes (\\r\\n, \\t, \\xNN); prints "STATUS CLOSED
                                SECONDS" (CLOSED: the server closed the connection after a 4xx)
                                and the problem's detail on a second line
  streams HOST PORT HOSTHDR N PER_ADDR [HEADER]
                                opens N GET /api/events streams, PER_ADDR from each source address
                                127.0.0.2, 127.0.0.3, ... (or all from the default address when
                                PER_ADDR is 0), counts the status codes, and while they are all
                                held open times 20 GET /api/health
  slowread HOST PORT HOSTHDR TARGET RATE [STALL_S [HEADER]]
                                GET TARGET reading RATE bytes/s with a 256 KiB receive buffer;
                                with STALL_S, stops reading after the first piece for that long
  bars KIND N START             writes CSV bars on stdout: KIND 1m (minute rows, 390 a weekday)
                                or 1d (one row a weekday), N rows from the date START
  rss PID SECONDS INTERVAL [STOP_FILE]
                                samples /proc/PID/status VmRSS until STOP_FILE exists (having
                                made STOP_FILE.ready after the first sample); the peak
  progress HOST PORT ID|sid=SID [HEADER]
                                (queues a backtest of SID and) polls it every 2 ms until it ends: the wall time its
                                progress sat at >= 0.95, and whether it ever went backwards
  killrun HOST PORT PID SID N [HEADER]
                                queues N backtests of strategy SID, notes which are unfinished,
                                and kill -9s PID at once; prints the ids, then the unfinished
  json FILE EXPR                evaluates EXPR on the JSON document in FILE (as `d`), prints it
  jsfiles HOST PORT HOSTHDR ENTRY
                                the UI's JavaScript modules reachable from ENTRY by import
"""
import codecs
import datetime
import json
import math
import os
import re
import socket
import sys
import time


def read_response(sock, deadline, head_only=False):
    """Reads one response: (status, headers dict lower-case, body bytes, closed)."""
    buf = b""
    closed = False
    while b"\r\n\r\n" not in buf:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            chunk = b""
            if time.time() < deadline:
                closed = True
        if not chunk:
            closed = closed or time.time() < deadline
            break
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = 0
    m = re.match(r"HTTP/\d\.\d (\d{3})", lines[0] if lines else "")
    if m:
        status = int(m.group(1))
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), v.strip())
    if head_only or not status:
        return status, headers, rest, closed
    body = rest
    length = headers.get("content-length")
    if length is not None and headers.get("transfer-encoding") is None:
        want = int(length)
        while len(body) < want and not closed:
            sock.settimeout(max(0.01, deadline - time.time()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                closed = True
                break
            body += chunk
        body = body[:want]
    return status, headers, body, closed


def wait_closed(sock, seconds):
    sock.settimeout(seconds)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


def cmd_send(host, port, request):
    data = codecs.escape_decode(request.encode("latin-1"))[0]
    t0 = time.time()
    s = socket.create_connection((host, int(port)), timeout=10)
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may answer and close before it read everything
    status, headers, body, closed = read_response(s, time.time() + 10)
    if not closed and status >= 400:  # a refusal must also close the connection
        closed = wait_closed(s, 3)
    s.close()
    text = body.decode("utf-8", "replace")
    detail = ""
    try:
        detail = json.loads(text).get("detail", "")
    except (ValueError, AttributeError):
        pass
    # Two lines, for bash's `read`: "STATUS CLOSED SECONDS", then the problem's detail.
    print(status, "true" if closed else "false", round(time.time() - t0, 3))
    print(" ".join(str(detail).split()))


def one_request(host, port, hosthdr, target, src=None, extra="", rcvbuf=None):
    if rcvbuf:  # set before connecting, so the advertised window stays small
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(10)
        s.connect((host, int(port)))
    else:
        s = socket.create_connection((host, int(port)), timeout=10,
                                     source_address=(src, 0) if src else None)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (target, hosthdr, extra)).encode())
    return s


def cmd_streams(host, port, hosthdr, n, per_addr, header=""):
    n, per_addr = int(n), int(per_addr)
    extra = (header + "\r\n") if header else ""
    socks, codes, detail = [], {}, {}
    bind_ok = True
    for i in range(n):
        src = None
        if per_addr > 0:
            src = "127.0.0.%d" % (2 + i // per_addr)
        try:
            s = one_request(host, port, hosthdr, "/api/events", src, extra)
        except OSError as e:
            if src:
                bind_ok = False
            codes["connect-error"] = codes.get("connect-error", 0) + 1
            detail.setdefault("connect-error", str(e))
            continue
        status, headers, body, _ = read_response(s, time.time() + 5, head_only=True)
        codes[str(status)] = codes.get(str(status), 0) + 1
        if status != 200 and str(status) not in detail:
            detail[str(status)] = {"retry-after": headers.get("retry-after"),
                                   "body": body.decode("utf-8", "replace")[:300]}
        if status == 200:
            socks.append(s)
        else:
            s.close()
    health_codes, worst = {}, 0.0
    for _ in range(20):
        t0 = time.time()
        try:
            s = one_request(host, port, hosthdr, "/api/health")
            status, _, _, _ = read_response(s, time.time() + 5)
            s.close()
        except OSError:
            status = 0
        worst = max(worst, time.time() - t0)
        health_codes[str(status)] = health_codes.get(str(status), 0) + 1
    for s in socks:
        s.close()
    print(json.dumps({"codes": codes, "detail": detail, "health": health_codes,
                      "health_worst_s": round(worst, 3), "bind_ok": bind_ok}))


def dechunk(data):
    out, pos = b"", 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return out, False
        size = int(data[pos:eol].split(b";")[0] or b"0", 16)
        if size == 0:
            return out, True
        start = eol + 2
        if len(data) < start + size + 2:
            return out + data[start:], False
        out += data[start:start + size]
        pos = start + size + 2


def cmd_slowread(host, port, hosthdr, target, rate, stall="", header=""):
    """GET TARGET at RATE bytes/s (with STALL_S: no reading for that long after the first piece)."""
    rate = float(rate)
    t0 = time.time()
    extra = "Connection: close\r\n" + (header + "\r\n" if header else "")
    s = one_request(host, port, hosthdr, target, extra=extra, rcvbuf=256 * 1024)
    data = b""
    s.settimeout(120)
    paced_from = t0
    while True:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
        if stall and len(data) == len(chunk):
            time.sleep(float(stall))
            paced_from = time.time() - len(data) / rate
        ahead = paced_from + len(data) / rate - time.time()
        if ahead > 0:
            time.sleep(ahead)
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    complete = False
    if headers.get("transfer-encoding") == "chunked":
        body, complete = dechunk(body)
    elif "content-length" in headers:
        complete = len(body) == int(headers["content-length"])
    if complete:
        try:
            json.loads(body)
        except ValueError:
            complete = False
    print(json.dumps({"status_line": head.decode("latin-1").split("\r\n")[0],
                      "chunked": headers.get("transfer-encoding") == "chunked",
                      "content_length": headers.get("content-length"), "body_bytes": len(body),
                      "complete": complete, "seconds": round(time.time() - t0, 2)}))


def cmd_bars(kind, n, start):
    n = int(n)
    day = datetime.date.fromisoformat(start)
    out = ["ts,open,high,low,close,volume"]
    i = 0
    while i < n:
        if day.weekday() < 5:
            for m in range(390 if kind == "1m" else 1):
                if i >= n:
                    break
                p = 10000 + int(2000 * math.sin(i / (5000.0 if kind == "1m" else 20.0))) + (i % 37) * 5
                if kind == "1m":
                    t = datetime.datetime(day.year, day.month, day.day, 9, 0) + \
                        datetime.timedelta(minutes=m)
                    ts = t.strftime("%Y-%m-%d %H:%M:%S")
                else:
                    ts = day.isoformat()
                out.append("%s,%d,%d,%d,%d,%d" % (ts, p, p + 50, p - 50, p + 10, 100 + i % 1000))
                i += 1
        day += datetime.timedelta(days=1)
    sys.stdout.write("\n".join(out) + "\n")


def rss_kb(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cmd_rss(pid, seconds, interval, stop_file=None):
    """Until SECONDS pass or STOP_FILE exists."""
    end = time.time() + float(seconds)
    peak = 0
    while True:
        try:
            peak = max(peak, rss_kb(pid))
        except OSError:
            break
        if stop_file and not os.path.exists(stop_file + ".ready"):
            open(stop_file + ".ready", "w").close()  # sampling: the caller may start
        if time.time() >= end or (stop_file and os.path.exists(stop_file)):
            break
        time.sleep(float(interval))
    print(json.dumps({"peak_kb": peak}))


def http_json(host, port, method, target, body=None, auth=""):
    import http.client
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if auth:
        k, _, v = auth.partition(":")
        headers[k.strip()] = v.strip()
    c.request(method, target, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, None


def cmd_progress(host, port, bid, auth=""):
    """Polls a backtest until it ends: how long (wall time) its progress sat at >= 0.95."""
    if bid.startswith("sid="):  # queue it here, so polling starts at once
        code, d = http_json(host, port, "POST", "/api/backtests",
                            json.dumps({"strategy_id": int(bid[4:])}), auth)
        if code != 202:
            print(json.dumps({"status": "http-%d" % code, "id": None}))
            return
        bid = str(d["id"])
    samples, backwards, running, high, status = 0, 0, 0.0, 0.0, ""
    prev = None  # (time, progress) of the previous sample while it was running
    seen = 0.0
    deadline = time.time() + 300
    while time.time() < deadline:
        code, d = http_json(host, port, "GET", "/api/backtests/%s" % bid, auth=auth)
        now = time.time()
        if code != 200 or not isinstance(d, dict):
            status = "http-%d" % code
            break
        status = d["status"]
        if prev is not None:  # the time since a running sample counts at that sample's progress
            running += now - prev[0]
            if prev[1] >= 0.95:
                high += now - prev[0]
        prev = None
        if status == "running":
            samples += 1
            p = float(d["progress"])
            if p + 1e-9 < seen:
                backwards += 1
            seen = max(seen, p)
            prev = (now, p)
        if status in ("done", "failed", "canceled"):
            break
        time.sleep(0.002)
    print(json.dumps({"id": int(bid), "status": status, "samples": samples,
                      "running_s": round(running, 3),
                      "at_95_s": round(high, 3), "backwards": backwards}))


def cmd_killrun(host, port, pid, sid, n, auth=""):
    """Queues N backtests of strategy SID, reads which are unfinished, then kill -9s PID."""
    ids = []
    for _ in range(int(n)):
        code, d = http_json(host, port, "POST", "/api/backtests",
                            json.dumps({"strategy_id": int(sid)}), auth)
        if code == 202:
            ids.append(d["id"])
    code, listing = http_json(host, port, "GET", "/api/backtests", auth=auth)
    os.kill(int(pid), 9)
    unfinished = [b["id"] for b in (listing or []) if b["id"] in ids and
                  b["status"] in ("queued", "running")]
    print(" ".join(map(str, ids)))
    print(" ".join(map(str, unfinished)))


def cmd_json(path, expr):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        d = json.loads(raw)
    except ValueError:
        d = None
    try:
        value = eval(expr, {"d": d, "re": re})  # noqa: S307 (expressions written in the script)
    except Exception:  # a missing key is an answer, not a crash
        value = None
    print(value if isinstance(value, str) else json.dumps(value))


def cmd_jsfiles(host, port, hosthdr, entry):
    seen, todo, files = set(), [entry], {}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        s = one_request(host, port, hosthdr, path, extra="Connection: close\r\n")
        status, _, body, _ = read_response(s, time.time() + 10)
        s.close()
        if status != 200:
            continue
        text = body.decode("utf-8", "replace")
        files[path] = text
        base = path.rsplit("/", 1)[0]
        for m in re.finditer(r"""(?:from|import)\s*\(?\s*['"](\.{1,2}/[^'"]+)['"]""", text):
            rel = m.group(1)
            parts = (base + "/" + rel).split("/")
            norm = []
            for p in parts:
                if p == "..":
                    if norm:
                        norm.pop()
                elif p not in (".", ""):
                    norm.append(p)
            todo.append("/" + "/".join(norm))
    token_in_local = [p for p, t in files.items()
                      if re.search(r"localStorage\.(?:setItem|getItem)\(\s*(?:TOKEN|['\"][^'\"]*token)",
                                   t, re.I)]
    token_in_session = [p for p, t in files.items() if re.search(r"sessionStorage\.setItem", t)]
    print(json.dumps({"files": sorted(files), "token_in_localStorage": token_in_local,
                      "sessionStorage": token_in_session}))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"send": cmd_send, "streams": cmd_streams, "slowread": cmd_slowread, "bars": cmd_bars,
     "rss": cmd_rss, "json": cmd_json, "jsfiles": cmd_jsfiles, "progress": cmd_progress,
     "killrun": cmd_killrun}[cmd](*args)


if __name__ == "__main__":
    main()
