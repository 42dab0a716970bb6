#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope export under hostile requests: each gets an error or a closed
# connection, and the exporter keeps serving /metrics (checked after each):
# POST and PUT (405), a 1 MB header (refused by libmicrohttpd's request memory
# limit), path traversal (404: no file is ever served), slowloris (a header byte a
# second: shut down at the exporter's total time limit, while others are served),
# and 1000 parallel idle connections (beyond the connection limit closed at once,
# the rest closed when idle; then served again).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x $PY ] || PY=python3
EP=$((29000 + $$ % 3000))
"$MMSCOPE" export --no-trace --listen 127.0.0.1:$EP >"$SCRATCH/exp.out" 2>"$SCRATCH/exp.err" &
EXP=$!
trap 'kill $EXP 2>/dev/null; wait $EXP 2>/dev/null; rm -rf "$SCRATCH"' EXIT

cat >"$SCRATCH/hostile.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])

def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=10)

def request(raw):
    """Sends raw bytes; returns the status code, 0 for a connection closed without one."""
    s = conn()
    try:
        s.sendall(raw)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError:
        data = b"" if not data else data
    s.close()
    if not data.startswith(b"HTTP/1."):
        return 0, data
    return int(data.split()[1]), data

def serving():
    code, data = request(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return code == 200 and b"mmscope_build_info" in data

def report(name, good, why=""):
    print(("ok %s" % name) if good else ("not ok %s: %s" % (name, why)), flush=True)

for m in (b"POST", b"PUT", b"DELETE"):
    code, _ = request(m + b" /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
    report("export-hostile-" + m.decode().lower(), code == 405 and serving(), "status %d" % code)

code, _ = request(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
report("export-hostile-1mb-header", code in (0, 400, 413, 431) and serving(), "status %d" % code)

bad = []
for path in (b"/../../etc/passwd", b"/metrics/../../../etc/passwd", b"//etc/passwd",
             b"/%2e%2e/%2e%2e/etc/passwd", b"/\xff\xfe"):
    code, data = request(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if code not in (400, 404) or b"root:" in data:
        bad.append("%r: %d" % (path, code))
report("export-hostile-traversal", not bad and serving(), " ".join(bad))

# Slowloris: 5 connections sending a header byte a second. Served meanwhile; each
# slow one is closed by the exporter (its total time limit), well before 40 s.
slow = [conn() for _ in range(5)]
for s in slow:
    s.settimeout(0.01)
served = serving()
closed, t0 = set(), time.time()
while len(closed) < len(slow) and time.time() - t0 < 40:
    for i, s in enumerate(slow):
        if i in closed:
            continue
        try:
            s.send(b"X")
            if s.recv(100) == b"":
                closed.add(i)
        except socket.timeout:
            pass
        except OSError:
            closed.add(i)
    time.sleep(1)
report("export-hostile-slowloris", served and len(closed) == len(slow) and serving(),
       "served %s, %d of %d slow connections closed" % (served, len(closed), len(slow)))

# 1000 parallel connections held open: served again once the idle ones are closed.
flood = []
for _ in range(1000):
    try:
        flood.append(conn())
    except OSError:
        pass
ok_again, t0 = False, time.time()
while not ok_again and time.time() - t0 < 40:
    try:
        ok_again = serving()
    except OSError:
        pass
    if not ok_again:
        time.sleep(0.5)
report("export-hostile-1000-connections", ok_again, "not served while %d connections were open" % len(flood))
for s in flood:
    s.close()
report("export-hostile-after", serving(), "not serving at the end")
PY

i=0
while ! grep -q serving "$SCRATCH/exp.err" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
$PY "$SCRATCH/hostile.py" $EP
kill -0 $EXP 2>/dev/null && ok export-hostile-alive || not_ok export-hostile-alive "the exporter died: $(head -c 200 "$SCRATCH/exp.err")"
