# Prints a line on stdout and one on stderr every 200 ms (unbuffered thanks to PYTHONUNBUFFERED).
import os, sys, time
print(f"printer: started pm_id={os.environ.get('pm_id')}")
n = 0
while True:
    n += 1
    print(f"printer: out {n}")
    print(f"printer: err {n}", file=sys.stderr)
    time.sleep(0.2)
