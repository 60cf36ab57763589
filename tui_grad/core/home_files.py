"""The progress folder's files, opened so that no other user can steer where tui-grad writes.

A lab's shared folders are sticky and world-writable: there another user can leave a
`progress.json` or lock link pointing into the learner's private files. So the folder itself
must belong to the learner and be writable by no one else (checked on an open handle, not a
name), every file in it is opened relative to that handle with O_NOFOLLOW, new files are made
with O_EXCL, and only regular files are read (a FIFO would hang the tutor).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Literal, overload

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)
SAFE = hasattr(os, "geteuid") and NOFOLLOW != 0 and os.open in os.supports_dir_fd
"""POSIX: files are opened relative to the checked folder; elsewhere, by path as before."""
LOCK_WAIT = 5.0
"""Seconds a save waits for another copy of the tutor to finish saving before giving up."""


class Refused(Exception):
    """The files must not be read or written now; `sentence` says why, for the learner."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


def _user(uid: int) -> str:
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _mode(mode: int) -> str:
    return oct(stat.S_IMODE(mode))[2:].rjust(4, "0")


def check_home(path: Path, info: os.stat_result) -> None:
    """Refuse a folder another user owns or may write in: they could read the learner's answers or
    plant links that make the tutor write over the learner's files."""
    if not hasattr(os, "geteuid"):
        return
    import shlex

    me = os.geteuid()
    quoted = shlex.quote(str(path))
    if not stat.S_ISDIR(info.st_mode):
        raise Refused(f"tui-grad keeps progress in {path}, but that is not a folder. Remove it or set "
                      "TUI_GRAD_HOME to a folder of your own. You can go on; nothing is saved.")
    if info.st_uid != me:
        raise Refused(f"tui-grad will not keep your progress in {path}: that folder belongs to "
                      f"{_user(info.st_uid)}, not to you ({_user(me)}), so its owner could read or change "
                      "your answers and plant links there. Use a folder of your own, e.g. `mkdir -m 700 "
                      "~/tui-grad && export TUI_GRAD_HOME=~/tui-grad`. You can go on; nothing is saved.")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise Refused(f"tui-grad will not keep your progress in {path}: other users can write in that folder "
                      f"(mode {_mode(info.st_mode)}), so they could plant links that make tui-grad write over "
                      f"your files. Make it yours alone: `chmod go-w {quoted}`. You can go on; nothing is saved.")


class Home:
    """An open, checked handle on the progress folder; every file is named relative to it."""

    def __init__(self, path: Path, handle: int | None) -> None:
        self.path = path
        self.handle = handle
        """The folder's descriptor (None where the system cannot open files relative to one)."""

    @overload
    @classmethod
    def open(cls, path: Path, *, create: Literal[True], own: bool = True) -> Home: ...

    @overload
    @classmethod
    def open(cls, path: Path, *, create: bool, own: bool = True) -> Home | None: ...

    @classmethod
    def open(cls, path: Path, *, create: bool, own: bool = True) -> Home | None:
        """The folder, checked; None when it does not exist and `create` is False. Raises Refused
        for a folder that is not safe, OSError when it cannot be made or opened (FileNotFoundError
        when it was made but removed before it could be opened). `own=False` reads a folder that is
        someone else's (an instructor reading a learner's), never writing to it."""
        if create:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not SAFE:
            return cls(path, None) if path.is_dir() else cls._missing(path, create)
        try:
            link = os.lstat(path)
        except FileNotFoundError:
            return cls._missing(path, create)
        if stat.S_ISLNK(link.st_mode) and link.st_uid != os.geteuid():
            import shlex

            raise Refused(f"tui-grad will not keep your progress in {path}: it is a link made by "
                          f"{_user(link.st_uid)}, not by you, and could lead anywhere. Remove it (`rm "
                          f"{shlex.quote(str(path))}`) or set TUI_GRAD_HOME to a folder of your own. You can "
                          "go on; nothing is saved.")
        try:
            handle = os.open(path, os.O_RDONLY | DIRECTORY | CLOEXEC)
        except FileNotFoundError:
            return cls._missing(path, create)
        try:
            if own:
                check_home(path, os.fstat(handle))
        except BaseException:
            os.close(handle)
            raise
        return cls(path, handle)

    @staticmethod
    def _missing(path: Path, create: bool) -> None:
        """None for a folder that is not there, unless it was to be made: then it was removed
        between making and opening it, which `open` reports as an error, not as no folder."""
        if create:
            raise FileNotFoundError(errno.ENOENT, "removed while it was being opened", str(path))

    def __enter__(self) -> Home:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Let the folder go."""
        if self.handle is not None:
            os.close(self.handle)
            self.handle = None

    # --- opening -------------------------------------------------------------------------------

    def open_file(self, name: str, flags: int, mode: int = 0o600) -> int:
        """Open `name` in the folder without following a link; a link is refused with a sentence."""
        try:
            if self.handle is None:
                return os.open(self.path / name, flags | CLOEXEC, mode)
            return os.open(name, flags | NOFOLLOW | CLOEXEC, mode, dir_fd=self.handle)
        except OSError as error:
            if error.errno == errno.ELOOP or (error.errno == errno.EEXIST and self.is_link(name)):
                raise Refused(self.link_sentence(name)) from None
            raise

    def is_link(self, name: str) -> bool:
        """True when `name` in the folder is a symbolic link."""
        try:
            info = (os.stat(name, dir_fd=self.handle, follow_symlinks=False) if self.handle is not None
                    else os.lstat(self.path / name))
        except OSError:
            return False
        return stat.S_ISLNK(info.st_mode)

    def exists(self, name: str) -> bool:
        """True when anything (a link too) has this name in the folder."""
        try:
            if self.handle is None:
                os.lstat(self.path / name)
            else:
                os.stat(name, dir_fd=self.handle, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return True

    def link_sentence(self, name: str) -> str:
        """Why a link in the folder is not followed, and how to clear it."""
        import shlex

        where = self.path / name
        return (f"{where} is a symbolic link. tui-grad never follows links in its folder (another user could "
                f"aim one at your files), so nothing was read or written through it. Remove it (`rm "
                f"{shlex.quote(str(where))}`) to save progress again. You can go on; nothing is saved.")

    def read(self, name: str) -> bytes | None:
        """The whole of a regular file; None when there is none."""
        try:
            handle = self.open_file(name, os.O_RDONLY | NONBLOCK)
        except FileNotFoundError:
            return None
        with os.fdopen(handle, "rb") as stream:
            self._regular(name, os.fstat(handle))
            return stream.read()

    def read_from(self, name: str, offset: int, inode: int | None) -> tuple[int, int, bytes] | None:
        """(inode, size, bytes from `offset` on) of a file; from 0 when its inode is not `inode` (it was
        replaced). None when there is none."""
        try:
            handle = self.open_file(name, os.O_RDONLY | NONBLOCK)
        except FileNotFoundError:
            return None
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(handle)
            self._regular(name, info)
            start = offset if info.st_ino == inode and offset <= info.st_size else 0
            stream.seek(start)
            return info.st_ino, start, stream.read()

    def open_reader(self, name: str) -> BinaryIO | None:
        """A regular file opened for reading in blocks (the caller closes it); None when there is none."""
        try:
            handle = self.open_file(name, os.O_RDONLY | NONBLOCK)
        except FileNotFoundError:
            return None
        stream = os.fdopen(handle, "rb")
        try:
            self._regular(name, os.fstat(handle))
        except BaseException:
            stream.close()
            raise
        return stream

    def _regular(self, name: str, info: os.stat_result) -> None:
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{self.path / name} is not a regular file, so tui-grad does not read it. Remove it "
                          "to save progress again. You can go on; nothing is saved.")

    # --- writing -------------------------------------------------------------------------------

    def append(self, name: str, data: bytes) -> tuple[int, int, int]:
        """Append `data` to a file (made if missing), fsync it; returns (inode, size before, size
        after). On any failure the file is cut back to its size before, so a half-written line never
        stays."""
        handle = self.open_file(name, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        created = False
        try:
            info = os.fstat(handle)
            self._regular(name, info)
            created = info.st_size == 0
            before = info.st_size
            try:
                view = memoryview(data)
                while view:
                    written = os.write(handle, view)
                    view = view[written:]
                os.fsync(handle)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.ftruncate(handle, before)
                raise
            return info.st_ino, before, os.fstat(handle).st_size
        finally:
            os.close(handle)
            if created:
                self.sync()

    def write_atomically(self, name: str, chunks: Iterable[bytes], prefix: str, suffix: str) -> None:
        """Temporary file (O_EXCL, no links), fsync, rename over `name`, fsync the folder: a kill at
        any moment leaves the old file or the new one."""
        temporary, handle = self.create_temporary(prefix, suffix)
        try:
            with os.fdopen(handle, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
                stream.flush()
                os.fsync(stream.fileno())
            self.rename(temporary, name)
        except BaseException:
            with contextlib.suppress(OSError):
                self.unlink(temporary)
            raise
        self.sync()

    def create_temporary(self, prefix: str, suffix: str) -> tuple[str, int]:
        """A new file with a name no other file has; never a link's target."""
        for _ in range(100):
            name = f"{prefix}{os.urandom(6).hex()}{suffix}"
            try:
                return name, self.open_file(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            except Refused:
                continue  # a link under that name: try another
            except FileExistsError:
                continue
        raise OSError(errno.EEXIST, "no free name for a temporary file")

    def create_new(self, name: str, data: bytes) -> None:
        """Write a file that must not exist yet (O_EXCL), fsynced, and sync the folder."""
        handle = self.open_file(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        self.sync()

    def free_name(self, stem: str, suffix: str, moment: float) -> str:
        """`stem-<UTC time of moment>suffix`, numbered when one of that name is there already."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(moment))
        for number in range(1, 10_000):
            name = f"{stem}-{stamp}{'' if number == 1 else f'-{number}'}{suffix}"
            if not self.exists(name):
                return name
        raise OSError(errno.EEXIST, f"no free name for {stem}")

    def truncate(self, name: str, size: int) -> None:
        """Cut a file back to `size` bytes, fsynced."""
        handle = self.open_file(name, os.O_WRONLY)
        try:
            self._regular(name, os.fstat(handle))
            os.ftruncate(handle, size)
            os.fsync(handle)
        finally:
            os.close(handle)

    def inode(self, name: str) -> tuple[int, int]:
        """(inode, size) of a name in the folder, not following a link."""
        info = (os.stat(name, dir_fd=self.handle, follow_symlinks=False) if self.handle is not None
                else os.lstat(self.path / name))
        return info.st_ino, info.st_size

    def rename(self, source: str, target: str) -> None:
        """Rename within the folder (a link at `target` is replaced, never followed)."""
        if self.handle is None:
            os.replace(self.path / source, self.path / target)
        else:
            os.replace(source, target, src_dir_fd=self.handle, dst_dir_fd=self.handle)

    def unlink(self, name: str) -> None:
        """Remove a name from the folder."""
        if self.handle is None:
            os.unlink(self.path / name)
        else:
            os.unlink(name, dir_fd=self.handle)

    def names(self) -> list[str]:
        """Every name in the folder."""
        return os.listdir(self.handle if self.handle is not None else self.path)

    def sync(self) -> None:
        """fsync the folder so a rename in it survives a power cut (best effort: not possible everywhere)."""
        if self.handle is not None:
            with contextlib.suppress(OSError):
                os.fsync(self.handle)
            return
        try:
            handle = os.open(self.path, os.O_RDONLY | DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(handle)
        except OSError:
            pass
        finally:
            os.close(handle)

    def lock(self, name: str, *, required: bool = False, wait: float = LOCK_WAIT) -> FileLock:
        """An advisory lock on `name` in the folder (see FileLock), waited for up to `wait` seconds."""
        return FileLock(self, name, required=required, wait=wait)


class FileLock:
    """An advisory lock beside the progress file, so two tutors never interleave a merge.

    Where no lock can be had (a read-only disk, a file system without locks, no fcntl) it goes on
    without one: the rename still keeps the file whole, and a read-only disk is reported by the
    write. Only a lock another copy holds for longer than LOCK_WAIT stops a save (`required`); a
    link in the lock's place is refused, never followed.
    """

    def __init__(self, home: Home, name: str, *, required: bool = False, wait: float = LOCK_WAIT) -> None:
        self.home = home
        self.wait = wait
        self.name = name
        self.required = required
        self.locked = False
        self._handle: int | None = None

    def __enter__(self) -> FileLock:
        try:
            import fcntl
        except ImportError:
            return self
        try:  # a read-only disk: go on without a lock
            self._handle = self.home.open_file(self.name, os.O_RDWR | os.O_CREAT)
        except Refused:
            raise
        except OSError:
            return self
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.02)
                    continue
                if self.required:
                    self._close()
                    raise Refused("Progress cannot be saved right now: another copy of tui-grad has been "
                                  f"saving for over {self.wait:g} seconds. You can go on; the next save "
                                  "tries again.") from None
            except OSError:
                pass  # no locks on this file system
            else:
                self.locked = True
            return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing releases the lock
            self._handle = None
        self.locked = False
