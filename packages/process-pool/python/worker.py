"""The @mcp-exec/process-pool worker: one long-lived Python process that runs tasks for Node.

Stdlib only, Python >= 3.9, POSIX. Protocol (see the package README for the full contract):

* fd 3 (in): one JSON line per batch, an array of tasks
  ``{"id", "kind"?: "code"|"preload"|"ping", "path", "fn"?, "params"?, "source", "input", "timeoutMs"?}``
  (no ``kind`` is a skill call; no ``timeoutMs`` is the pool's default; a skill call without
  ``path`` calls the same function as the skill call just before it in the batch).
* fd 4 (out): results in task order, never past the end of their batch. A run of plain results
  (ok, nothing captured) is one line ``{"run": first id, "us": [...], "values": [...]}``, the
  i-th entries for the i-th task from the one with id ``run``; any other result has its own line,
  ``{"id", "ok": true, "us", "value", "out"?, "err"?}`` or
  ``{"id", "ok": false, "us", "error": {"kind", "type", "message", "traceback", ...}, ...}``;
  plus ``{"claim": n}`` lines that tell Node which tasks may have started (see ``run_batch``).

stdout and stderr stay free for the tasks: ``sys.stdout``/``sys.stderr`` are captured per task;
whatever reaches fd 1/2 directly is drained (and discarded) by Node.
"""

import builtins
import json
import os
import select
import signal
import sys
import threading
import time
import types

IN_FD = 3
OUT_FD = 4
WORKER_FILE = os.path.abspath(__file__)

# Results wait at most this long in the buffer; also the delay after which a running task is
# considered long (its predecessors' results are flushed and its claim is narrowed to itself).
TICK = 0.001
HALF_TICK = TICK / 2
INF = float("inf")

perf_counter = time.perf_counter


def parse_args(argv):
    options = {
        "max-output-bytes": 1 << 20,
        "max-message-bytes": 64 << 20,
        "memory-limit-mb": 0,
        "task-timeout-ms": 30000,
    }
    for arg in argv:
        if arg.startswith("--") and "=" in arg:
            key, _, value = arg[2:].partition("=")
            if key in options:
                options[key] = int(value)
    return options


OPTIONS = parse_args(sys.argv[1:])
MAX_OUTPUT = OPTIONS["max-output-bytes"]
MAX_MESSAGE = OPTIONS["max-message-bytes"]
# Tasks carry `timeoutMs` only when it differs from the pool's default.
DEFAULT_TIMEOUT_MS = OPTIONS["task-timeout-ms"]
DEFAULT_TIMEOUT = DEFAULT_TIMEOUT_MS / 1000.0


class TaskTimeout(BaseException):
    """Raised inside a task by SIGALRM. A BaseException, so `except Exception` does not swallow it."""


# ---------------------------------------------------------------------------------------------
# JSON: the C encoder built once (JSONEncoder.encode rebuilds it on every call, ~5x slower).

def _no_default(value):
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


_markers = {}
try:
    from json.encoder import c_make_encoder, encode_basestring_ascii

    _iterencode = c_make_encoder(
        _markers, _no_default, encode_basestring_ascii, None, ":", ",", False, False, False
    )

    def encode(value):
        try:
            return "".join(_iterencode(value, 0))
        except BaseException:
            _markers.clear()
            raise

except (ImportError, TypeError):  # pragma: no cover - interpreters without the C accelerator
    encode = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode

decode_line = json.loads
encode_string = json.encoder.encode_basestring_ascii
int_repr = int.__repr__


def find_unencodable(value, path="value", depth=0):
    """Names the first part of ``value`` JSON cannot carry: (path, type name, reason)."""
    if depth > 200:
        return path, type(value).__name__, "nested too deeply"
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        if value != value or value in (INF, -INF):
            return path, "float", "%r is not valid JSON" % value
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return "%s[%r]" % (path, key), type(key).__name__, "dict keys must be str"
            found = find_unencodable(item, "%s[%r]" % (path, key), depth + 1)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = find_unencodable(item, "%s[%d]" % (path, index), depth + 1)
            if found:
                return found
        return None
    return path, type(value).__name__, "not JSON serializable"


# ---------------------------------------------------------------------------------------------
# Output capture: sys.stdout / sys.stderr of a task, capped at MAX_OUTPUT bytes, reused.

class Capture:
    """A text stream that keeps what a task writes, up to a byte limit."""

    encoding = "utf-8"
    errors = "strict"
    newlines = None
    closed = False

    def __init__(self, name):
        self.name = name
        self.parts = []
        self.size = 0
        self.dropped = 0
        self.buffer = _BytesView(self)

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        global captured
        captured = True
        length = len(text)
        size = length if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        room = MAX_OUTPUT - self.size
        if size <= room:
            self.parts.append(text)
            self.size += size
        else:
            if room > 0:
                head = text.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore")
                self.parts.append(head)
                self.size = MAX_OUTPUT
                size -= room
            self.dropped += size
        return length

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def take(self):
        text = "".join(self.parts)
        if self.dropped:
            text += "\n[mcp-exec: %d more bytes of %s dropped (maxOutputBytes %d)]\n" % (
                self.dropped,
                self.name,
                MAX_OUTPUT,
            )
        self.parts.clear()
        self.size = 0
        self.dropped = 0
        return text

    def flush(self):
        pass

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    def fileno(self):
        import io

        raise io.UnsupportedOperation("captured %s has no file descriptor" % self.name)


class _BytesView:
    """`sys.stdout.buffer`: bytes written here are decoded and captured with the text."""

    def __init__(self, capture):
        self._capture = capture

    def write(self, data):
        self._capture.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self):
        pass


cap_out = Capture("stdout")
cap_err = Capture("stderr")
captured = False  # something was written to a capture since the last result


# ---------------------------------------------------------------------------------------------
# Modules: imported once, keyed by path and content hash.

# A file whose mtime is this close to the moment we read it may change again without its mtime
# (or size) changing, given coarse filesystem timestamps: such a file is re-hashed on every batch
# until it has aged (the "racily clean" rule of git's index).
RACY_NS = 2_000_000_000


def signature_of(st):
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)


def digest_of(data):
    import hashlib

    return hashlib.sha256(data).digest()


class Stamp:
    """What a source file looked like when it was imported: stat signature and content hash."""

    __slots__ = ("path", "signature", "digest", "read_at")

    def __init__(self, path, signature, digest, read_at):
        self.path = path
        self.signature = signature
        self.digest = digest
        self.read_at = read_at

    def unchanged(self):
        """One stat, and a read and hash only for a file touched recently (or whose stat moved)."""
        now = time.time_ns()
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        signature = signature_of(st)
        if signature == self.signature and self.read_at - st.st_mtime_ns > RACY_NS:
            return True
        try:
            with open(self.path, "rb") as handle:
                digest = digest_of(handle.read())
        except OSError:
            return False
        if digest != self.digest:
            return False
        self.signature = signature
        self.read_at = now
        return True


class ModuleEntry:
    __slots__ = ("module", "stamps")

    def __init__(self, module, stamps):
        self.module = module
        self.stamps = stamps  # the entry file first, then the helpers it imported from its folder


modules = {}
# Per path, the functions whose last run took less than TICK: those run without a write before
# them (see run_batch). Reset when the file is imported again.
fast_functions = {}


def load_module(path, checked):
    """The module of `path`, imported again if it or a helper it imported changed on disk."""
    entry = modules.get(path)
    if entry is not None:
        if path in checked:
            return entry.module
        for stamp in entry.stamps:
            if not stamp.unchanged():
                break
        else:
            checked.add(path)
            return entry.module
    read_at = time.time_ns()
    signature = signature_of(os.stat(path))
    with open(path, "rb") as handle:
        source = handle.read()
    module = import_source(path, source)
    stamps = [Stamp(path, signature, digest_of(source), read_at)]
    stamps.extend(helper_stamps(module.__name__, read_at))
    modules[path] = ModuleEntry(module, stamps)
    checked.add(path)
    return module


def helper_stamps(name, read_at):
    """Stamps of the submodules (`from . import helper`) imported while the entry was imported.
    Their stat signature is taken now: a change between their import and now makes them racy
    (re-hashed) at worst, never missed, since their digest is of what is on disk now."""
    stamps = []
    prefix = name + "."
    for key, submodule in list(sys.modules.items()):
        helper = getattr(submodule, "__file__", None) if key.startswith(prefix) else None
        if helper:
            try:
                with open(helper, "rb") as handle:
                    data = handle.read()
                stamps.append(Stamp(helper, signature_of(os.stat(helper)), digest_of(data), read_at))
            except OSError:
                pass
    return stamps


def import_source(path, source):
    import hashlib
    from importlib.machinery import ModuleSpec

    name = "_mcp_exec_" + hashlib.sha1(path.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    code = compile(source, path, "exec", dont_inherit=True)
    folder = os.path.dirname(path)
    module = types.ModuleType(name)
    # A package whose __path__ is the file's folder: `from . import helper` works in any entry file.
    module.__spec__ = ModuleSpec(name, None, origin=path, is_package=True)
    module.__spec__.submodule_search_locations = [folder]
    module.__spec__.has_location = True
    module.__file__ = path
    module.__path__ = [folder]
    module.__package__ = name
    fresh_sources(folder)
    for key in [key for key in sys.modules if key.startswith(name + ".")]:
        del sys.modules[key]  # helpers of the old version are imported afresh
    previous = sys.modules.get(name)
    sys.modules[name] = module
    fast_functions.pop(path, None)
    try:
        exec(code, module.__dict__)
    except BaseException:
        modules.pop(path, None)
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
        raise
    return module


def fresh_sources(folder):
    """Helpers in a skill folder are compiled from their source, never from __pycache__: a .pyc
    is trusted on its source's mtime (in seconds) and size, so an edit that keeps the size within
    the same second would be served stale."""
    from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader

    class FreshSourceLoader(SourceFileLoader):
        def get_code(self, fullname):
            return compile(self.get_data(self.path), self.path, "exec", dont_inherit=True)

    sys.path_importer_cache[folder] = FileFinder(folder, (FreshSourceLoader, SOURCE_SUFFIXES))


def resolve_function(module, path, name):
    if name:
        fn = getattr(module, name, None)
    else:
        fn = getattr(module, "execute", None)
        if fn is None:
            fn = getattr(module, "main", None)
        name = "execute"
    if fn is None:
        raise AttributeError("%s defines no function %r" % (path, name))
    if not callable(fn):
        raise TypeError("%s: %r is a %s, not a function" % (path, name, type(fn).__name__))
    return fn


compiled_code = {}


def compile_snippet(source):
    code = compiled_code.get(source)
    if code is None:
        import ast

        code = compile(source, "<code>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        if len(compiled_code) >= 256:
            compiled_code.pop(next(iter(compiled_code)))
        compiled_code[source] = code
    return code


# ---------------------------------------------------------------------------------------------
# Coroutines: one event loop per worker, reused (asyncio.run per call costs ~100 us).

event_loop = None


def run_coroutine(coroutine):
    global event_loop
    import asyncio

    if event_loop is None:
        event_loop = asyncio.new_event_loop()
    future = event_loop.create_task(coroutine)
    try:
        return event_loop.run_until_complete(future)
    except BaseException:
        if not future.done():
            # Interrupted from a signal handler (a timeout): the loop may be mid-iteration, so it
            # is dropped rather than reused.
            future.cancel()
            loop, event_loop = event_loop, None
            try:
                loop.close()
            except BaseException:
                pass
        raise


# ---------------------------------------------------------------------------------------------
# Output to Node: buffered result lines, flushed at the end of a batch, after a long task, and
# from the SIGALRM tick while a task runs long.

out = []
flushing = False
flushed_at = 0.0
# Plain results (ok, no captured output) of consecutive tasks, as (id, us, value JSON) tuples:
# they leave as one line, {"run": first id, "us": [...], "values": [...]}, which costs Node one
# small object per result instead of five, and Python no line per result. Each value is encoded
# when its task ends (a later task may change an object an earlier one returned); only the line
# is built later. One tuple per result, appended in one step, so the tick never sees half of one.
run = []
run_bytes = 0
# Room kept in a line for its fixed parts, and per result for its duration and commas.
LINE_OVERHEAD = 64
RESULT_OVERHEAD = 24


def write_all(data):
    view = memoryview(data)
    while view:
        view = view[os.write(OUT_FD, view):]


def seal():
    """Turns the pending run of plain results into its line in `out`, after the lines before it."""
    global flushing, run_bytes
    was = flushing
    flushing = True  # first: the tick must not seal (or flush) the run while this looks at it
    try:
        if not run:
            return
        if len(run) == 1:  # one call at a time: the line of a single result is the cheaper one
            out.append('{"id":%d,"ok":true,"us":%d,"value":%s}\n' % run[0])
        else:
            us = ",".join([str(item[1]) for item in run])
            out.append('{"run":%d,"us":[%s],"values":[%s]}\n' % (run[0][0], us, ",".join([item[2] for item in run])))
        run.clear()
        run_bytes = 0
    finally:
        flushing = was


def flush():
    """Writes the buffered lines in one syscall. Only this function and the tick write to fd 4."""
    global flushing, flushed_at
    flushing = True  # the tick must not write (or clear `out`) while this runs
    try:
        if run:
            seal()
        if out:
            data = "".join(out).encode("ascii")
            out.clear()
            write_all(data)
        flushed_at = perf_counter()
    finally:
        flushing = False


# ---------------------------------------------------------------------------------------------
# The timer: one ITIMER_REAL for both the task deadline and the output tick, re-armed only when
# the wanted time moves earlier (float compares per task, a syscall only now and then); a tick
# still pending when a batch ends is disarmed (see run_batch).

seq = 0  # tasks received since start; Node counts the same way
claim = 0  # no task with a higher seq has started; Node knows it without being told per batch
current = 0  # seq of the task running (or last run)
running = False
deadline = INF
timer_at = INF


def arm(at):
    global timer_at
    timer_at = at
    signal.setitimer(signal.ITIMER_REAL, max(at - perf_counter(), 1e-6))


def disarm():
    global timer_at
    timer_at = INF
    signal.setitimer(signal.ITIMER_REAL, 0)


def on_alarm(signum, frame):
    global timer_at, claim
    now = perf_counter()
    timer_at = INF
    if running and now >= deadline:
        arm(now + 0.1)  # insist if the task swallows the exception
        raise TaskTimeout()
    if not flushing:
        if running and claim > current:
            # The running task is long: tell Node that no later task of the batch has started,
            # so a crash now re-runs them elsewhere instead of failing them.
            claim = current
            out.append('{"claim":%d}\n' % claim)
        if out or run:
            flush()
    if running:
        arm(deadline)


# ---------------------------------------------------------------------------------------------
# Running tasks.

def error_payload(kind, exc, **extra):
    etype = type(exc)
    module = getattr(etype, "__module__", "builtins")
    type_name = etype.__qualname__ if module in ("builtins", "__main__") else module + "." + etype.__qualname__
    payload = {"kind": kind, "type": type_name, "message": str(exc), "traceback": format_traceback(exc)}
    payload.update(extra)
    return payload


def format_traceback(exc):
    """The traceback of `exc` and its causes, without the worker's own frames."""
    import traceback

    try:
        report = traceback.TracebackException(type(exc), exc, exc.__traceback__)
        pending, seen = [report], set()
        while pending:
            part = pending.pop()
            if part is None or id(part) in seen:
                continue
            seen.add(id(part))
            frames = [frame for frame in part.stack if frame.filename != WORKER_FILE]
            part.stack = traceback.StackSummary.from_list(frames)
            pending.extend((part.__cause__, part.__context__))
        return "".join(report.format())
    except BaseException:
        return "%s: %s\n" % (type(exc).__name__, exc)


def output_fields():
    """The captured output of the task that just ran, as extra JSON fields ('' when none)."""
    global captured
    captured = False
    fields = ""
    if cap_out.parts or cap_out.dropped:
        fields = ',"out":' + encode(cap_out.take())
    if cap_err.parts or cap_err.dropped:
        fields += ',"err":' + encode(cap_err.take())
    return fields


def error_line(task_id, us, payload):
    line = '{"id":%d,"ok":false,"us":%d,"error":%s%s}\n' % (task_id, us, encode(payload), output_fields())
    if len(line) > MAX_MESSAGE:
        payload = {"kind": "too_large", "bytes": len(line), "limit": MAX_MESSAGE, "message": "error report too large"}
        line = '{"id":%d,"ok":false,"us":%d,"error":%s}\n' % (task_id, us, encode(payload))
    return line


def serialization_line(task_id, us, value, exc):
    found = find_unencodable(value)
    path, type_name, reason = found if found else ("value", type(value).__name__, str(exc))
    if isinstance(exc, RecursionError):
        reason = "nested too deeply (RecursionError)"
    payload = {
        "kind": "serialization",
        "type": type_name,
        "path": path,
        "message": "the return value cannot be sent as JSON: %s is %s (%s)" % (path, type_name, reason),
    }
    return error_line(task_id, us, payload)


def too_large_line(task_id, us, size):
    payload = {
        "kind": "too_large",
        "bytes": size,
        "limit": MAX_MESSAGE,
        "message": "the result is %d bytes as JSON, over maxMessageBytes (%d)" % (size, MAX_MESSAGE),
    }
    return error_line(task_id, us, payload)


PING = {
    "pid": os.getpid(),
    "python": "%d.%d.%d" % sys.version_info[:3],
    "executable": sys.executable,
}


def execute_other(kind, task, checked):
    """Tasks other than skill calls (those take the inlined fast path in `run_task`)."""
    if kind == "code":
        namespace = {"__name__": "__main__", "__builtins__": builtins, "input": task.get("input")}
        pending = eval(compile_snippet(task["source"]), namespace)
        if type(pending) is types.CoroutineType:
            run_coroutine(pending)
        return namespace.get("result")
    if kind == "preload":
        load_module(task["path"], checked)
        return None
    if kind == "ping":
        return PING
    raise ValueError("unknown task kind %r" % (kind,))


ended = 0.0  # when the last task ended: the next one starts then (one clock read per task)
CoroutineType = types.CoroutineType
# The function the last skill call found: the calls that follow it in its batch without a path
# call it too, without looking up the module and the function again. None until one is found.
found = None


def run_task(task, started, want, checked, path, name):
    """Runs one task and returns its result line, or None when the result joined the run; sets
    `ended`. Never raises (short of os._exit).
    `path` and `name` are the skill's file and function (`path` None for other kinds of task);
    a call that follows its function's first call in the batch reuses the function (`found`).

    The timer is armed (for `want`) only after `running` is set: an alarm that fires in between
    then sees a running task and re-arms for its deadline, instead of leaving it without one.
    """
    global running, ended, run_bytes, found
    try:
        try:
            running = True  # first statement of the try: the tick may raise TaskTimeout from here on
            if timer_at > want + HALF_TICK:
                arm(want)
            if path is not None:  # a skill call
                fn = found  # set when this call follows its function's first call in the batch
                if fn is None:
                    entry = modules.get(path)
                    if entry is None or path not in checked:
                        module = load_module(path, checked)
                    else:
                        module = entry.module
                    fn = getattr(module, name or "execute", None)
                    if fn is None:
                        fn = resolve_function(module, path, name)
                    found = fn
                params = task.get("params")
                value = fn(**params) if params else fn()
                if type(value) is CoroutineType:
                    value = run_coroutine(value)
            else:
                value = execute_other(task["kind"], task, checked)
            running = False
        except TaskTimeout as exc:
            running = False
            ended = perf_counter()
            timeout = task.get("timeoutMs", DEFAULT_TIMEOUT_MS)
            payload = error_payload("timeout", exc, timeoutMs=timeout)
            payload["message"] = "the task ran longer than its timeout (%s ms)" % timeout
            return slow_line(task["id"], int((ended - started) * 1e6), payload)
        except MemoryError as exc:
            running = False
            ended = perf_counter()
            return slow_line(task["id"], int((ended - started) * 1e6), error_payload("memory", exc))
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the task's error
            running = False
            ended = perf_counter()
            return slow_line(task["id"], int((ended - started) * 1e6), error_payload("python", exc))
        ended = perf_counter()
        us = int((ended - started) * 1e6)
        kind = type(value)
        try:
            # Scalars skip the encoder's machinery; containers (and floats: NaN) go through it.
            if kind is str:
                text = encode_string(value)
            elif kind is int:
                text = int_repr(value)
            elif value is None:
                text = "null"
            else:
                text = encode(value)
        except (TypeError, ValueError, RecursionError, OverflowError) as exc:
            line = serialization_line(task["id"], us, value, exc)
            ended = perf_counter()
            return line
        size = len(text) + RESULT_OVERHEAD
        if not captured and size + LINE_OVERHEAD <= MAX_MESSAGE:
            # A plain result: it joins the run, which is sealed first if it would grow too long.
            if run_bytes + size + LINE_OVERHEAD > MAX_MESSAGE:
                seal()
            # Appended first: a tick between the two lines then only overcounts, and seals early.
            run.append((task["id"], us, text))
            run_bytes += size
            return None
        if captured:
            text += output_fields()
        line = f'{{"id":{task["id"]},"ok":true,"us":{us},"value":{text}}}\n'
        if len(line) > MAX_MESSAGE:
            line = too_large_line(task["id"], us, len(line))
            ended = perf_counter()
        return line
    except TaskTimeout:
        # The deadline passed in the few instructions between the task's end and `running = False`.
        running = False
        ended = perf_counter()
        payload = {"kind": "timeout", "type": "TaskTimeout", "message": "the task ran longer than its timeout"}
        return slow_line(task["id"], int((ended - started) * 1e6), payload)


def slow_line(task_id, us, payload):
    """An error line, built after the task ended (a traceback may take milliseconds to format):
    `ended` moves to when it is built, so the next task's clock starts from there."""
    global ended
    line = error_line(task_id, us, payload)
    ended = perf_counter()
    return line


def run_batch(tasks):
    """Runs a batch in order, buffering result lines.

    Claims: Node assumes that any task of a batch it sent may have started, unless told otherwise.
    When a task runs long, the tick narrows the claim to that task (``{"claim": seq}``), so that
    if the worker dies now, Node knows the later tasks never started and re-runs them elsewhere.
    Before starting a task beyond the claim, the worker widens it again, in the same write as the
    buffered results. A fast batch therefore costs one write, at its end.

    A task of unknown duration (the first run of a function, or one that ran long last time, a
    snippet, an import) is treated as if it were long from the start: the results before it leave
    and the claim narrows to it before it starts, so that if it crashes the worker at once, no
    finished result is lost and only that task fails.
    """
    global seq, claim, current, deadline, flushed_at, found
    last = seq + len(tasks)
    last_path = last_fn = None  # the previous skill call's, for calls that leave them off
    claim = last
    checked = set()
    started = flushed_at = perf_counter()
    sys.stdout, sys.stderr = cap_out, cap_err
    append = out.append
    for task in tasks:
        seq += 1
        current = seq
        if type(task) is not dict:  # a task that could not be decoded, see decode_batch
            if seq > claim:
                claim = seq
                append('{"claim":%d}\n' % claim)
            if task[2] is not None:
                last_path, last_fn = task[2], task[3]
                found = None
            if run:
                seal()
            append(error_line(task[0], 0, task[1]))
            continue
        skill = "kind" not in task
        if skill:
            path = task.get("path")
            if path is None:
                path, fn = last_path, last_fn
                if path is None:
                    if seq > claim:
                        claim = seq
                        append('{"claim":%d}\n' % claim)
                    if run:
                        seal()
                    append(error_line(task["id"], 0, NO_PATH))
                    continue
            else:
                fn = last_fn = task.get("fn")
                last_path = path
                found = None  # until this call finds its function
            names = fast_functions.get(path)
        else:
            path = fn = names = last_path = last_fn = None
        if names is None or fn not in names:
            if claim != seq:
                claim = seq  # narrow (or widen) the claim to exactly this task
                append('{"claim":%d}\n' % claim)
            if out or run:
                flush()
                started = flushed_at
        elif seq > claim:
            claim = last
            append('{"claim":%d}\n' % claim)
            flush()
            started = flushed_at
        if sys.stdout is not cap_out or sys.stderr is not cap_err:
            sys.stdout, sys.stderr = cap_out, cap_err  # a task replaced them and did not restore them
        timeout = task.get("timeoutMs")
        deadline = started + (DEFAULT_TIMEOUT if timeout is None else timeout / 1000.0)
        # While other tasks of the batch are claimed, tick soon: if this task runs long, the tick
        # narrows the claim. Otherwise only the deadline matters.
        want = started + TICK if claim > seq and started + TICK < deadline else deadline
        line = run_task(task, started, want, checked, path, fn)
        if line is not None:
            if run:
                seal()  # the results before this one leave first
            append(line)
        if skill:
            if names is None:
                names = fast_functions.setdefault(path, set())
            if ended - started < TICK:
                if fn not in names:
                    names.add(fn)
            elif fn in names:
                names.discard(fn)
        started = ended
        if seq < last:
            if started - flushed_at >= TICK:
                flush()  # results waited long enough (or this task ran long): not behind the next
                started = flushed_at
            elif timer_at > started + TICK:
                arm(started + TICK)  # results wait in the buffer: they leave even if the next task hangs
    flush()
    found = None  # the batch's modules may be imported again before the next one
    if timer_at < flushed_at + 2 * TICK:
        # A tick due soon would find nothing to do, or cut the next batch into two writes. A
        # task's deadline, far off, stays armed: it costs nothing, and re-arming would.
        disarm()
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


# ---------------------------------------------------------------------------------------------
# Input: one batch per line on fd 3.

NO_PATH = {
    "kind": "python",
    "type": "ValueError",
    "message": "a skill call without a path, and no skill call before it in its batch",
}


def decode_batch(line):
    try:
        return decode_line(line)
    except (RecursionError, MemoryError):
        return decode_batch_slowly(line.decode("utf-8", "surrogatepass"))


def decode_batch_slowly(text):
    """Decodes a batch element by element, so one task JSON cannot decode (nested deeper than the
    recursion limit) fails alone: it becomes an (id, error payload, path, fn) tuple instead of a
    dict, with the path and function it names, if any: the calls after it may leave theirs off."""
    import re

    decoder = json.JSONDecoder()
    # Node writes a task's fields in this order: id, (kind,) path, fn, params.
    string = r'"(?:[^"\\]|\\.)*"'
    id_pattern = re.compile(
        r'\s*\{\s*"id"\s*:\s*(-?\d+)(?:\s*,\s*"path"\s*:\s*(%s)(?:\s*,\s*"fn"\s*:\s*(%s))?)?' % (string, string)
    )
    tasks = []
    index = text.index("[") + 1
    while True:
        while text[index] in " \t\r\n,":
            index += 1
        if text[index] == "]":
            return tasks
        try:
            task, index = decoder.raw_decode(text, index)
            tasks.append(task)
        except (RecursionError, MemoryError) as exc:
            match = id_pattern.match(text, index)
            task_id = int(match.group(1)) if match else -1
            path = json.loads(match.group(2)) if match and match.group(2) else None
            fn = json.loads(match.group(3)) if match and match.group(3) else None
            index = skip_json_value(text, index)
            reason = "nested too deeply" if isinstance(exc, RecursionError) else "too large"
            payload = {
                "kind": "serialization",
                "type": "RecursionError" if isinstance(exc, RecursionError) else "MemoryError",
                "path": "params",
                "message": "the task's parameters cannot be decoded by Python: %s" % reason,
            }
            tasks.append((task_id, payload, path, fn))


def skip_json_value(text, index):
    """Index just past the JSON value starting at `index`, without building it."""
    depth = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            index += 1
            while text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index


def serve():
    parts = []  # pieces of a line longer than one read
    while True:
        # 64 KiB: a larger read buffer is allocated with mmap on every call (~20 us a read).
        chunk = os.read(IN_FD, 65536)
        if not chunk:
            os._exit(0)  # Node closed our input: every result is already written
        start = 0
        newline = chunk.find(b"\n")
        while newline >= 0:
            if parts:
                parts.append(chunk[start:newline])
                line = b"".join(parts)
                parts.clear()
            elif start == 0 and newline == len(chunk) - 1:
                line = chunk  # the usual case, one whole batch in one read: no copy
            else:
                line = chunk[start:newline]
            run_batch(decode_batch(line))
            start = newline + 1
            newline = chunk.find(b"\n", start)
        if start < len(chunk):
            parts.append(chunk[start:] if start else chunk)


# ---------------------------------------------------------------------------------------------
# Start-up.

def load_libc():
    """The C library on Linux (~2 ms of start-up for ctypes), None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except Exception:
        return None


def die_with_parent(libc):
    """Linux: the kernel sends SIGKILL to this process when Node dies, whatever it is doing (even C
    code holding the GIL, which would keep `watch_parent` from running)."""
    try:
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except Exception:  # no prctl: watch_parent still covers it
        pass


def share_malloc_arena(libc):
    """glibc reserves 64 MiB of address space for the malloc arena of each new thread, and
    RLIMIT_AS counts it: under a memory limit, every thread (ours, and a skill's) would eat 64 MiB
    of it. One shared arena keeps the limit about memory."""
    try:
        m_arena_max = -8
        libc.mallopt(m_arena_max, 1)
    except Exception:  # not glibc: no per-thread arenas to worry about
        pass


def watch_parent():
    """Exits the process when Node is gone, even while a task spins in `while True: pass`.

    Node's end of fd 3 is closed when Node exits or is killed: poll() reports POLLHUP (the event
    mask 0 asks for nothing else, so pending input does not wake us). The parent-pid check covers
    platforms where a closed socket does not raise POLLHUP, and a parent that died before
    `die_with_parent` armed the kernel's signal.
    """
    # The timer's signal goes to the main thread, which runs the handler: interrupted there, a
    # task blocked in a system call (a sleep) times out at once, and this thread sleeps on.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    parent = os.getppid()
    poller = select.poll()
    poller.register(IN_FD, 0)
    while True:
        if poller.poll(1000) or os.getppid() != parent:
            os._exit(0)


def fatal(message):
    try:
        write_all((encode({"fatal": message}) + "\n").encode("ascii"))
    finally:
        os._exit(70)


def main():
    os.set_inheritable(IN_FD, False)
    os.set_inheritable(OUT_FD, False)
    # Ctrl-C in a terminal reaches the whole process group; Node decides what happens to workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, on_alarm)
    libc = load_libc()
    limit_mb = OPTIONS["memory-limit-mb"]
    if libc is not None:
        die_with_parent(libc)
        if limit_mb > 0:
            share_malloc_arena(libc)
    threading.stack_size(256 * 1024)
    threading.Thread(target=watch_parent, name="mcp-exec-parent-watch", daemon=True).start()
    if limit_mb > 0:
        import resource

        limit = limit_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError) as exc:
            fatal("cannot set memoryLimitMb %d: %s" % (limit_mb, exc))
    try:
        serve()
    except BaseException as exc:  # a bug in this file: tell Node why before dying
        fatal("worker failed: %s" % "".join(format_traceback(exc)))


if __name__ == "__main__":
    main()
