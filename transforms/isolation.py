"""Work on untrusted files in child processes with a memory cap and a time limit.

One unit's file must never stop the county's night. A reader library can abort the whole process (python-calamine
trusts sizes written in the file: a Rust allocation failure is SIGABRT, not an exception), loop for minutes, or grow
without bound; in a child, each of these costs that file alone. :class:`WorkerPool` keeps a few children alive and
feeds them one task at a time; a child that dies, overruns its time or runs out of memory is replaced and its task
comes back as a :class:`Failure` saying which of these happened.

Children are plain ``python -m transforms.isolation`` subprocesses, not :mod:`multiprocessing` ones: they work
where multiprocessing may not start children (a daemonic process, e.g. a task under Airflow's Celery executor),
start fresh (no threads forked from an Airflow task) and import only the target's module. The protocol is pickles
over the child's stdin and a length-prefixed stream on its stdout; the child's own prints go to its stderr.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

_LENGTH = struct.Struct(">Q")
START_SECONDS = 120.0  # a child that cannot import its target in this long is a broken installation, not a file


@dataclass(frozen=True)
class Limits:
    """What one task may use: extra address space beyond the child's own imports, and wall-clock seconds."""

    memory_mb: int = 512
    seconds: float = 60.0


@dataclass(frozen=True)
class Failure:
    """A task that did not finish: ``kind`` is timeout | memory | crash | error; ``detail`` is for the log."""

    kind: str
    detail: str = ""

    def reason_zh(self, limits: Limits) -> str:
        """Why, for the clerk (a finding's message)."""
        if self.kind == "timeout":
            return f"读取时间超过上限（{limits.seconds:g} 秒），文件可能被构造成让程序空转"
        if self.kind == "memory":
            return f"读取所需内存超过上限（{limits.memory_mb} MB），文件内部数据异常"
        if self.kind == "crash":
            return "读取程序在处理该文件时异常退出，文件内部数据可能已损坏"
        return "读取时出错，文件内部数据可能已损坏"


class WorkerPool:
    """Up to ``workers`` children running ``target`` (``"package.module:function"``) on one task at a time.

    ``map(tasks)`` returns, in order, each task's result or a :class:`Failure`; a failure never affects the other
    tasks. Use as a context manager: leaving it stops every child.
    """

    def __init__(self, target: str, workers: int = 1, limits: Limits | None = None,
                 python_path: Sequence[str | os.PathLike] = ()):
        self.target = target
        self.size = max(1, int(workers))
        self.limits = limits or Limits()
        self._python_path = [str(p) for p in python_path]
        self._idle: list[_Child] = []
        self._starting: dict[_Child, float] = {}  # child → deadline for its ready message (kept across calls)
        self._all: list[_Child] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for child in self._all:
            child.stop()
        self._all.clear()
        self._idle.clear()
        self._starting.clear()

    def map(self, tasks: Iterable[tuple]) -> list:
        todo = list(tasks)
        out: list = [None] * len(todo)
        for index, result in self.imap_unordered(todo):
            out[index] = result
        return out

    def imap_unordered(self, tasks: Sequence[tuple]) -> Iterator[tuple[int, object]]:
        """(index, result or Failure) of every task, as each finishes."""
        pending = deque(enumerate(tasks))
        busy: dict[_Child, tuple[int, float]] = {}  # child → (task index, deadline)
        starting = self._starting
        with selectors.DefaultSelector() as sel:
            for child in starting:
                sel.register(child.stdout_fd, selectors.EVENT_READ, child)
            while pending or busy:
                # hand tasks to ready children; start children up to the pool size while work waits
                while pending and self._idle:
                    child = self._idle.pop()
                    index, args = pending.popleft()
                    if not child.send(args):  # died while idle (e.g. killed from outside): replace it
                        self._forget(child, sel)
                        pending.appendleft((index, args))
                        continue
                    busy[child] = (index, time.monotonic() + self.limits.seconds)
                    sel.register(child.stdout_fd, selectors.EVENT_READ, child)
                while pending and len(self._all) < min(self.size, len(busy) + len(starting) + len(pending)):
                    child = _Child.start(self.target, self.limits, self._python_path)
                    self._all.append(child)
                    starting[child] = time.monotonic() + START_SECONDS
                    sel.register(child.stdout_fd, selectors.EVENT_READ, child)
                deadlines = [d for _, d in busy.values()] + list(starting.values())
                timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                for key, _ in sel.select(timeout):
                    child: _Child = key.data
                    message = child.receive()
                    if message is _PENDING:
                        continue
                    if child in starting:
                        del starting[child]
                        sel.unregister(child.stdout_fd)
                        if message is _DEAD or message[0] != "ready":
                            self._forget(child, sel)
                            raise RuntimeError(f"isolated worker for {self.target} did not start: "
                                               f"{child.exit_detail()}")
                        self._idle.append(child)
                        continue
                    index, _ = busy.pop(child)
                    sel.unregister(child.stdout_fd)
                    if message is _DEAD:
                        failure = child.death()
                        self._forget(child, sel)
                        yield index, failure
                        continue
                    kind, payload = message
                    if kind == "ok":
                        self._idle.append(child)
                        yield index, payload
                    else:  # the task raised: the child is replaced (after MemoryError it may be unusable)
                        self._forget(child, sel)
                        yield index, Failure("memory" if kind == "memory" else "error", str(payload))
                now = time.monotonic()
                for child, (index, deadline) in list(busy.items()):
                    if now >= deadline:
                        del busy[child]
                        sel.unregister(child.stdout_fd)
                        self._forget(child, sel)
                        yield index, Failure("timeout", f"no result within {self.limits.seconds:g} s")
                for child, deadline in list(starting.items()):
                    if now >= deadline:
                        self._forget(child, sel)
                        raise RuntimeError(f"isolated worker for {self.target} did not start in {START_SECONDS:g} s")

    def _forget(self, child: _Child, sel: selectors.BaseSelector) -> None:
        try:
            sel.unregister(child.stdout_fd)
        except (KeyError, ValueError):
            pass
        child.stop()
        if child in self._all:
            self._all.remove(child)
        if child in self._idle:
            self._idle.remove(child)
        self._starting.pop(child, None)


def _loads(payload: bytes):
    """Unpickle a result without the cyclic garbage collector: a report is a few hundred small objects, and each
    collection their making set off would scan all the caller keeps (a shard's reports; 4× the unpickling time,
    measured). Results hold no cycles: reference counting frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(payload)  # noqa: S301 — from our own child process
    finally:
        if enabled:
            gc.enable()


_PENDING = object()  # a message is still arriving
_DEAD = object()  # the child's stdout closed: it exited


class _Child:
    def __init__(self, proc: subprocess.Popen, stderr):
        self.proc = proc
        self.stdout_fd = proc.stdout.fileno()
        self._stderr = stderr
        self._buf = bytearray()
        self._stderr_mark = 0  # what the child had written to stderr before its current task
        os.set_blocking(self.stdout_fd, False)

    @classmethod
    def start(cls, target: str, limits: Limits, python_path: list[str]) -> _Child:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join([*python_path, root, *filter(None, [env.get("PYTHONPATH")])])
        env.setdefault("PYTHONHASHSEED", "0")
        # Rust's panic output is only noise here: the parent tells what happened
        env["RUST_BACKTRACE"] = "0"
        stderr = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            [sys.executable, "-m", "transforms.isolation"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env, close_fds=True,
            start_new_session=True,  # a terminal's Ctrl-C reaches the parent, which stops its children itself
        )
        proc.stdin.write(pickle.dumps((target, limits.memory_mb), protocol=pickle.HIGHEST_PROTOCOL))
        proc.stdin.flush()
        return cls(proc, stderr)

    def send(self, args: tuple) -> bool:
        try:
            self._stderr_mark = os.fstat(self._stderr.fileno()).st_size
            self.proc.stdin.write(pickle.dumps(tuple(args), protocol=pickle.HIGHEST_PROTOCOL))
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def receive(self):
        """A whole message, _PENDING while it is still arriving, or _DEAD once the child has exited."""
        while True:
            try:
                chunk = os.read(self.stdout_fd, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                return _DEAD if not self._complete() else self._pop()
            self._buf += chunk
        return self._pop() if self._complete() else _PENDING

    def _complete(self) -> bool:
        return len(self._buf) >= _LENGTH.size and len(self._buf) >= _LENGTH.size + _LENGTH.unpack_from(self._buf)[0]

    def _pop(self):
        (n,) = _LENGTH.unpack_from(self._buf)
        payload = bytes(self._buf[_LENGTH.size:_LENGTH.size + n])
        del self._buf[: _LENGTH.size + n]
        try:
            return _loads(payload)
        except Exception as exc:  # noqa: BLE001 — a result that does not unpickle is that task's failure
            return ("error", f"result could not be unpickled: {exc!r}")

    def death(self) -> Failure:
        code = self.proc.wait()
        tail = self.exit_detail()
        if code < 0 and -code in (signal.SIGABRT, signal.SIGKILL) and ("memory" in tail or -code == signal.SIGKILL):
            # SIGABRT with "memory allocation of N bytes failed": Rust's answer to the address-space cap;
            # SIGKILL we did not send: the kernel's out-of-memory killer
            return Failure("memory", tail)
        return Failure("crash", tail)

    def exit_detail(self) -> str:
        code = self.proc.poll()
        try:
            size = os.fstat(self._stderr.fileno()).st_size
            self._stderr.seek(max(self._stderr_mark, size - 2000))
            tail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            tail = []
        shown = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 and -code in \
            signal.valid_signals() else f"exit {code}"
        return f"{shown}: {' | '.join(tail[-3:])}"[:500]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover — SIGKILL is not refused
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._stderr.close()


# ---------------------------------------------------------------- the child


def _resolve(target: str):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _cap_memory(extra_mb: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:  # not Linux: the cap counts from nothing mapped, so allow for the interpreter itself
        mapped = 512 * 1024 * 1024
    limit = mapped + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child_main() -> None:  # pragma: no cover — runs in the child; its behaviour is tested through the pool
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # print() in a task must not corrupt the protocol
    sys.stdout = sys.stderr
    source = sys.stdin.buffer

    def send(message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_LENGTH.pack(len(data)) + data)
        out.flush()

    target, memory_mb = pickle.load(source)  # noqa: S301 — from the parent
    func = _resolve(target)
    _cap_memory(memory_mb)
    send(("ready", None))
    while True:
        try:
            args = pickle.load(source)  # noqa: S301 — from the parent
        except EOFError:
            return
        try:
            message = ("ok", func(*args))
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            message, data = ("memory", "MemoryError"), None
        except BaseException as exc:  # noqa: BLE001 — any failure of the task is reported, the loop goes on
            message, data = ("error", f"{type(exc).__name__}: {exc}"[:500]), None
        if data is None:
            send(message)
        else:
            out.write(_LENGTH.pack(len(data)) + data)
            out.flush()


if __name__ == "__main__":
    _child_main()
