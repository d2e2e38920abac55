# Sends one request per connection to 127.0.0.1:PORT for SECONDS, and prints a JSON summary:
# how many were answered, how many failed (with why), and which instance answered how often.
import http.client
import json
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
ok, failed, errors, seen = 0, 0, [], {}
end = time.time() + seconds
while time.time() < end:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        body = conn.getresponse().read().decode()
        conn.close()
        instance = body.split()[0]
        seen[instance] = seen.get(instance, 0) + 1
        ok += 1
    except Exception as e:  # every kind of failure counts
        failed += 1
        errors.append(repr(e))
    time.sleep(0.01)
print(json.dumps({"ok": ok, "failed": failed, "errors": errors[:5], "seen": seen}))
