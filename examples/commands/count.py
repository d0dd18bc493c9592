#!/usr/bin/env python3
"""A Bgtask command task in Python (Signals: http), standard library only.

It speaks the HTTP contract itself with the token the service gave it (BGTASK_PID, BGTASK_API_URL, BGTASK_TOKEN in
its environment): it reports `started`, its progress and its sleeps, honours sleep/continue/stop at its check-point,
re-reads its config when the config version changes (a new `total` or `delay` applies at once), and ends
`finished` or `stopped`. Config: {"total": 10, "delay": 1}.
"""
import json
import os
import sys
import urllib.request

PID = os.environ["BGTASK_PID"]
API = os.environ["BGTASK_API_URL"].rstrip("/")
TOKEN = os.environ["BGTASK_TOKEN"]


def call(method, path, body=None, timeout=70):
    """One request to the task's own routes; answers (JSON body, headers)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{API}/api/tasks/{PID}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return (json.loads(text) if text else None), response.headers


def log(line):
    call("POST", "/log", {"lines": [line]})


def read_config():
    config, _ = call("GET", "/config")
    return config["version"], config["config"]


def signals(wait, version):
    """Takes the pending signals, waiting up to `wait` seconds; answers them and the current config version."""
    taken, headers = call("GET", f"/signals?clean=true&wait={wait}&version={version}")
    return [s["signal"] for s in taken], int(headers["Bgtask-Config-Version"])


def main():
    call("POST", "/started")
    version, config = read_config()
    done = 0
    sleeping = False
    log(f"counting to {config.get('total', 10)}")
    while done < int(config.get("total", 10)):
        total = int(config.get("total", 10))
        # The check-point: while running, wait out the step's delay on the held read (signals arrive at once);
        # while sleeping, wait for `continue` or `stop`.
        pending, current = signals(float(config.get("delay", 1)) if not sleeping else 5, version)
        changed = current != version
        if changed:
            version, config = read_config()
            log(f"config version {version}: {json.dumps(config)}")
        for signal in pending:
            if signal == "stop":
                log(f"stop at {done} of {total}")
                call("POST", "/stopped", {"message": "stopped by signal"})
                return 0
            if signal == "sleep" and not sleeping:
                sleeping = True
                call("PUT", "/state", {"opTotal": total, "opFinished": done, "status": "sleeping"})
                log("sleeping")
            elif signal == "continue" and sleeping:
                sleeping = False
                call("PUT", "/state", {"opTotal": total, "opFinished": done, "status": "running"})
                log("continuing")
            elif signal not in ("sleep", "continue"):
                log(f"signal {signal} ignored")
        if sleeping:
            # The heartbeat while asleep: a sleeping task still says it is alive.
            call("PUT", "/state", {"opTotal": total, "opFinished": done, "status": "sleeping"})
        if sleeping or pending or changed:
            continue
        done += 1
        call("PUT", "/state", {"opTotal": int(config.get("total", 10)), "opFinished": done})
    log(f"counted to {done}")
    call("POST", "/finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
