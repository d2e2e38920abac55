# Sends requests to 127.0.0.1:PORT for SECONDS over one kept-alive connection (a new one when the
# server closes it), and prints a JSON summary as http_client.py does. Like any HTTP client
# (RFC 9112 9.3.1), a GET that fails on a reused connection before any byte of the answer came
# is sent again once on a new connection; "retried" counts those. "failed" counts the rest.
import http.client
import json
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
ok, failed, retried, errors, seen, connections = 0, 0, 0, [], {}, 0
conn, reused = None, False


def ask():
    global conn, reused, connections
    if conn is None:
        conn, reused = http.client.HTTPConnection("127.0.0.1", port, timeout=5), False
        connections += 1
    conn.request("GET", "/")
    resp = conn.getresponse()
    body = resp.read().decode()
    if resp.will_close:
        conn.close()
        conn = None
    else:
        reused = True
    return body


end = time.time() + seconds
while time.time() < end:
    try:
        try:
            body = ask()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
            if not reused:
                raise
            retried += 1
            conn.close()
            conn = None
            body = ask()
        instance = body.split()[0]
        seen[instance] = seen.get(instance, 0) + 1
        ok += 1
    except Exception as e:  # every other kind of failure counts
        failed += 1
        errors.append(repr(e))
        if conn is not None:
            conn.close()
        conn = None
    time.sleep(0.01)
print(json.dumps({"ok": ok, "failed": failed, "retried": retried, "connections": connections,
                  "errors": errors[:5], "seen": seen}))
