"""Confinement of the query runner processes: no network at all, and death together with their parent.

The SPARQL engine would open HTTP connections for ``SERVICE``; :mod:`graph.querytext` refuses such
queries, and this seccomp filter makes it structural: a runner cannot create an IPv4/IPv6 socket (nor an
io_uring, which could do so behind the filter's back). Linux only (x86_64, aarch64); elsewhere
:func:`deny_network` returns False and the text check stays the only guard.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import signal
import socket
import struct

_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
# BPF opcodes: ld word abs, jeq k, jset k, ret k.
_LD_W_ABS, _JEQ_K, _JSET_K, _RET_K = 0x20, 0x15, 0x45, 0x06

# machine -> (AUDIT_ARCH, syscall numbers to deny when creating sockets, io_uring_setup)
_ARCH = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}
_X32_BIT = 0x40000000


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (a killed server worker leaves no
    orphaned runner behind)."""
    try:
        return _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _program(arch: int, nr_socket: int, nr_io_uring: int) -> bytes:
    errno_access = _RET_ERRNO | errno.EACCES
    errno_nosys = _RET_ERRNO | errno.ENOSYS
    ins = [
        (_LD_W_ABS, 0, 0, 4),                         # 0: A = arch
        (_JEQ_K, 1, 0, arch),                         # 1: native arch? skip next
        (_RET_K, 0, 0, _RET_ALLOW),                   # 2: foreign ABI (never used by the runner)
        (_LD_W_ABS, 0, 0, 0),                         # 3: A = syscall number
        (_JSET_K, 0, 1, _X32_BIT),                    # 4: x32 ABI bit set? deny
        (_RET_K, 0, 0, errno_access),                 # 5
        (_JEQ_K, 0, 1, nr_io_uring),                  # 6: io_uring_setup? deny
        (_RET_K, 0, 0, errno_nosys),                  # 7
        (_JEQ_K, 1, 0, nr_socket),                    # 8: socket()? look at its domain
        (_RET_K, 0, 0, _RET_ALLOW),                   # 9
        (_LD_W_ABS, 0, 0, 16),                        # 10: A = args[0] (domain, low word)
        (_JEQ_K, 2, 0, socket.AF_INET),               # 11
        (_JEQ_K, 1, 0, socket.AF_INET6),              # 12
        (_RET_K, 0, 0, _RET_ALLOW),                   # 13: AF_UNIX etc. stay allowed
        (_RET_K, 0, 0, errno_access),                 # 14
    ]
    return b"".join(struct.pack("=HBBI", *i) for i in ins)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def deny_network() -> bool:
    """Install the filter in this process (inherited by every thread it starts later). True if the
    filter is in place; False where the platform has none."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return False
    code = _program(*arch)
    buf = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = _libc()
    try:
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
    except (OSError, AttributeError):
        return False
