import os


def execute(fail=False, message="flaky failed on purpose", crash=False, crash_once_marker=None, value=None):
    if crash_once_marker is not None and not os.path.exists(crash_once_marker):
        with open(crash_once_marker, "w") as marker:
            marker.write("crashed once")
        os._exit(3)
    if crash:
        os._exit(3)
    if fail:
        raise RuntimeError(message)
    return {"ok": True, "value": value}
