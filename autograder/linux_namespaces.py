"""The Linux calls with which a forked kernel sandboxes itself (:mod:`autograder.forked_sandbox`).

Python's standard library has ``os.unshare`` only from 3.12 and no ``mount``, ``pivot_root``,
``mount_setattr`` or ``capset``: they are called here through ``ctypes``, each raising
:class:`OSError` with the call's name when the kernel refuses it. Linux only; x86-64 and
AArch64 (the system call numbers of ``pivot_root`` and ``mount_setattr`` are per machine).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import platform
import socket
import struct

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2
MOUNT_ATTR_NODEV = 0x4
AT_RECURSIVE = 0x8000

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

_SYSCALLS = {"x86_64": {"pivot_root": 155, "mount_setattr": 442},
             "aarch64": {"pivot_root": 41, "mount_setattr": 442}}

_libc = ctypes.CDLL(None, use_errno=True)


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _path(path: str | None) -> bytes | None:
    return None if path is None else os.fsencode(path)


def supported() -> str | None:
    """Why this machine cannot run forked sandboxes, or None if it can."""
    if platform.system() != "Linux":
        return "forked sandboxes need Linux"
    if platform.machine() not in _SYSCALLS:
        return f"forked sandboxes know the system calls of {sorted(_SYSCALLS)} only"
    return None


def _syscall(name: str, *args) -> int:
    return _libc.syscall(ctypes.c_long(_SYSCALLS[platform.machine()][name]), *args)


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0,
          data: str | None = None) -> None:
    _check(_libc.mount(_path(source), _path(target), _path(fstype), ctypes.c_ulong(flags),
                       _path(data)), f"mount {target}")


def umount(target: str, flags: int = 0) -> None:
    _check(_libc.umount2(_path(target), ctypes.c_int(flags)), f"umount {target}")


def set_mount_attributes(path: str, set_flags: int, clear_flags: int = 0,
                         recursive: bool = True) -> None:
    """``mount_setattr(2)``: set (and clear) ``MOUNT_ATTR_*`` on the mount at ``path``, and on
    every mount below it if ``recursive`` (Linux 5.12 and later)."""
    attr = _MountAttr(set_flags, clear_flags, 0, 0)
    at_fdcwd = -100
    _check(_syscall("mount_setattr", ctypes.c_int(at_fdcwd), _path(path),
                    ctypes.c_uint(AT_RECURSIVE if recursive else 0), ctypes.byref(attr),
                    ctypes.c_size_t(ctypes.sizeof(attr))), f"mount_setattr {path}")


def pivot_root(new_root: str, put_old: str) -> None:
    _check(_syscall("pivot_root", _path(new_root), _path(put_old)), "pivot_root")


def prctl(option: int, value: int = 0) -> None:
    _check(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)), f"prctl {option}")


def drop_all_capabilities() -> None:
    """Give up every capability: the bounding set (so that no program run later gains one),
    the ambient set, then the effective, permitted and inheritable sets; and forbid gaining
    privileges through set-user-ID programs (``no_new_privs``)."""
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for capability in range(last + 1):
        prctl(PR_CAPBSET_DROP, capability)
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3: two 32-bit words
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def effective_capabilities() -> int:
    """This process's effective capabilities, as the bit mask /proc shows."""
    for line in open("/proc/self/status"):
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    raise OSError("no CapEff in /proc/self/status")


def bring_loopback_up() -> None:
    """Switch on the loopback interface of this network namespace (a new one has it down), as
    bubblewrap does: a connection to 127.0.0.1 is then refused, not unreachable."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(probe, siocgifflags, request))[1]
        fcntl.ioctl(probe, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))
