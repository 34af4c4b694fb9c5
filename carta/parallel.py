"""Rendering in parallel: the pages of a build written by forked worker processes while the
build process makes the search indexes.

A worker is a ``fork`` of the build process: it has the validated site, the Jinja
environment and the staging folder as they are, renders its part of the pages
(:attr:`carta.render.SiteWriter.part`) into the staging folder, and sends back, over a
pipe, what it wrote (the :class:`carta.render.Output` record, which the sitemap and the
manifest need), its notices, and its progress as it goes. Every worker renders with the same
code and data as a serial build, so the files are the same bytes.

A worker never returns into the build's own code (it ends with ``os._exit``), so it can
neither remove the staging folder nor print; a worker that fails sends its exception, which
the build raises. When the build stops for any reason (an error, Ctrl+C, SIGTERM), the
workers still running are killed before the staging folder is removed.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: told ``(done, total)`` by a worker as it renders
Counted = Callable[[int, int], None]

_HEADER = struct.Struct("!I")


def can_fork() -> bool:
    """Whether this system can run workers (``fork``: not on Windows)."""
    return hasattr(os, "fork")


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class ForkSafeLock:
    """A ``threading.Lock`` for module state, as a ``with`` block, that a forked worker
    gets unlocked: a fork copies a lock that another thread holds as held, forever."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork either
            os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class WorkerFailed(Exception):
    """A worker ended without saying why (killed, or out of memory)."""


def _send(fd: int, message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


@dataclass
class Worker:
    """One forked worker running ``job(counted)``; its result, once :meth:`join` returns."""

    pid: int
    fd: int
    counted: Counted
    result: Any = None
    error: BaseException | None = None
    _reader: threading.Thread | None = field(default=None, repr=False)

    @classmethod
    def start(
        cls, job: Callable[[Counted], Any], counted: Counted, into: list[Worker] | None = None
    ) -> Worker:
        """Fork a worker running ``job``; it is added to ``into`` before it starts work (so
        that whoever kills the workers knows it).

        The worker waits for a go from this process, sent once it is recorded: Ctrl+C is
        raised in the main thread wherever the kernel delivered it (another thread, say the
        file watcher's), so it can interrupt this process between the fork and the record.
        A worker that never gets its go (its pipe closes) ends without writing anything."""
        read, write = os.pipe()
        go_read, go_write = os.pipe()
        # Ctrl+C and SIGTERM wait while this thread forks: a signal handled during fork() (in
        # Python's at-fork hooks) would be lost
        old = _block_signals()
        parent = os.getpid()
        try:
            pid = os.fork()
        except BaseException:
            if os.getpid() != parent:  # interrupted in the worker, before it knew it was one
                os._exit(1)
            _restore_signals(old)
            for fd in (read, write, go_read, go_write):
                os.close(fd)
            raise
        if pid == 0:  # the worker
            code = 0
            try:
                os.close(read)
                os.close(go_write)
                # Ctrl+C and SIGTERM are the build's to handle: it kills the workers
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _restore_signals(old)
                if os.read(go_read, 1) != b"g":  # the build stopped before recording it
                    os._exit(0)
                os.close(go_read)
                throttle = _Throttle(lambda done, total: _send(write, ("progress", done, total)))
                result = job(throttle)
                _send(write, ("done", result))
            except BaseException as exc:  # noqa: BLE001 - every failure goes to the build
                code = 1
                try:
                    _send(write, ("error", exc))
                except BaseException:  # noqa: BLE001 - an exception that cannot be pickled
                    _send(write, ("error", RuntimeError(repr(exc))))
            finally:
                os._exit(code)
        worker = None
        try:
            os.close(go_read)
            os.close(write)
            worker = cls(pid, read, counted)
            if into is not None:
                into.append(worker)
            # started with the signals blocked, the reader never takes Ctrl+C or SIGTERM: the
            # build's own thread does
            worker._reader = threading.Thread(target=worker._read, daemon=True)
            worker._reader.start()
            os.write(go_write, b"g")
        except BaseException:
            if worker is None:  # not recorded: nobody else will end it
                os.close(read)
                _kill(pid)
            raise
        finally:
            os.close(go_write)  # without a go, the worker ends
            _restore_signals(old)  # a signal that came meanwhile is raised here
        return worker

    def _read(self) -> None:
        try:
            while True:
                header = _read_exactly(self.fd, _HEADER.size)
                if header is None:
                    return
                body = _read_exactly(self.fd, _HEADER.unpack(header)[0])
                if body is None:
                    return
                kind, *rest = pickle.loads(body)
                if kind == "progress":
                    self.counted(*rest)
                elif kind == "done":
                    self.result = rest[0]
                else:
                    self.error = rest[0]
        except BaseException as exc:  # noqa: BLE001 - said by join
            self.error = exc
        finally:
            os.close(self.fd)

    def join(self) -> Any:
        """Wait for the worker; its result, or its exception raised here."""
        if self._reader is not None:
            self._reader.join()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if self.error is not None:
            raise self.error
        if status != 0:
            raise WorkerFailed(f"a rendering worker ended with status {status}")
        return self.result

    def kill(self) -> None:
        """End the worker now, if it still runs."""
        if self.pid:
            _kill(self.pid)
        self.pid = 0


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _block_signals() -> set[int] | None:
    """Block Ctrl+C and SIGTERM in this thread; the mask before (``None`` where there is no
    way to block them)."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS))


def _restore_signals(old: set[int] | None) -> None:
    if old is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Throttle:
    """Passes on at most about a hundred progress reports, and the last one."""

    def __init__(self, counted: Counted) -> None:
        self.counted = counted
        self.step = 0

    def __call__(self, done: int, total: int) -> None:
        step = done * 100 // max(total, 1)
        if step != self.step or done == total:
            self.step = step
            self.counted(done, total)
