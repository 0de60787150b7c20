import time


def execute(ms=100):
    time.sleep(ms / 1000)
    return {"slept_ms": ms}
