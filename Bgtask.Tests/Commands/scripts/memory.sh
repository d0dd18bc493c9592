#!/bin/sh
# The shell holds little; its child holds about 100 MB, touched so it is resident.
python3 -c 'import time
b = bytearray(100 * 1024 * 1024)
for i in range(0, len(b), 4096): b[i] = 1
print("holding 100 MB", flush=True)
time.sleep(300)' &
wait
