"""Where the emulator and the guest images come from, and how long to wait.

Everything the harness reads from the environment is here:

    EMU_BINARY          the emulator to drive (emu, or qemu-system-riscv64 as the peer)
    EMU_BUILD_DIR       default <repo>/build; EMU_BINARY defaults to $EMU_BUILD_DIR/emu-system-riscv64
    EMU_GUEST_IMAGES    default ~/.cache/emu/guest-images
    EMU_TIMEOUT_SCALE   multiplies every harness timeout (e.g. 4 for an ASan build); default 1
"""

import functools
import os
import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def build_dir() -> Path:
    return Path(os.environ.get("EMU_BUILD_DIR") or REPO_ROOT / "build")


def emulator_binary() -> Path:
    """The binary under test: $EMU_BINARY (a path or a name on PATH), else the build's emu."""
    chosen = os.environ.get("EMU_BINARY")
    if not chosen:
        return build_dir() / "emu-system-riscv64"
    if os.sep not in chosen:
        found = shutil.which(chosen)
        if found:
            return Path(found)
    return Path(chosen)


def guest_images_dir() -> Path:
    return Path(os.environ.get("EMU_GUEST_IMAGES") or Path.home() / ".cache" / "emu" / "guest-images")


def timeout_scale() -> float:
    value = os.environ.get("EMU_TIMEOUT_SCALE", "1")
    try:
        scale = float(value)
    except ValueError as error:
        raise ValueError(f"EMU_TIMEOUT_SCALE={value!r} is not a number") from error
    return scale if scale > 0 else 1.0


def scaled(seconds: float) -> float:
    """A harness timeout, stretched for slow builds (sanitizers, loaded CI)."""
    return seconds * timeout_scale()


def is_qemu(binary=None) -> bool:
    """True when the binary is QEMU rather than emu.

    Decided by what `-version` prints ("QEMU emulator version ..." for QEMU,
    "emu version ..." for emu), not by the file name. Use it only for the rare
    behaviour the tests document as different between the two.
    """
    return _prints_qemu_version(str(binary if binary is not None else emulator_binary()))


@functools.lru_cache(maxsize=None)
def _prints_qemu_version(binary: str) -> bool:
    try:
        result = subprocess.run([binary, "-version"], stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=scaled(30))
    except OSError:
        return False
    return result.stdout.decode(errors="replace").startswith("QEMU emulator version")
