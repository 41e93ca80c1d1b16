"""Guest images a test can ask for with @pytest.mark.guest("name", ...).

Built images live under $EMU_GUEST_IMAGES (default ~/.cache/emu/guest-images,
filled by `make guest-images`); firmware comes from Debian packages:

    demo      demo/demo.elf                     (guest-images/build-demo.sh)
    isa       isa/<test>                        (guest-images/build-isa-tests.sh)
    bench     bench/<workload>.elf              (guest-images/build-bench.sh)
    linux     linux/Image + linux-initramfs/initramfs.cpio
    opensbi   /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin   (package opensbi)
    uboot     /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin               (package u-boot-qemu)

A missing image makes the test an ERROR, never a skip: a test that did not
run must not look like a test that passed.
"""

from pathlib import Path

from . import config

OPENSBI_FW_DYNAMIC = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin")
UBOOT_SMODE = Path("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin")


class GuestImages:
    """Paths of the guest images; `missing(name)` says what a marker name needs but lacks."""

    def __init__(self, root: Path = None):
        self.root = Path(root) if root is not None else config.guest_images_dir()

    @property
    def demo(self) -> Path:
        """The bare-metal demo ELF: boot it with -bios none -kernel; it prints and powers off."""
        return self.root / "demo" / "demo.elf"

    @property
    def isa_dir(self) -> Path:
        return self.root / "isa"

    def isa(self, test_name: str) -> Path:
        """One ISA test binary, e.g. isa("rv64ui-p-add")."""
        return self.isa_dir / test_name

    @property
    def bench_dir(self) -> Path:
        return self.root / "bench"

    def bench(self, workload: str) -> Path:
        """One benchmark workload ELF (testing/bench/run-bench.py), e.g. bench("crc32")."""
        return self.bench_dir / f"{workload}.elf"

    @property
    def linux_kernel(self) -> Path:
        return self.root / "linux" / "Image"

    @property
    def linux_initramfs(self) -> Path:
        return self.root / "linux-initramfs" / "initramfs.cpio"

    @property
    def opensbi(self) -> Path:
        return OPENSBI_FW_DYNAMIC

    @property
    def uboot(self) -> Path:
        return UBOOT_SMODE

    def required_files(self, name: str):
        """The files marker name `name` stands for; raises KeyError for an unknown name."""
        table = {
            "demo": [self.demo],
            "isa": [self.isa_dir],
            "bench": [self.bench_dir],
            "linux": [self.linux_kernel, self.linux_initramfs],
            "opensbi": [self.opensbi],
            "uboot": [self.uboot],
        }
        if name not in table:
            raise KeyError(f"unknown guest image {name!r} (known: {', '.join(sorted(table))})")
        return table[name]

    def missing(self, name: str):
        """The required files of `name` that are absent (an empty ISA directory counts as absent)."""
        absent = []
        for path in self.required_files(name):
            if not path.exists() or (path.is_dir() and not any(path.iterdir())):
                absent.append(path)
        return absent


KNOWN_IMAGES = ("demo", "isa", "bench", "linux", "opensbi", "uboot")


def linux_disk_report(data: bytes, device: str = "/dev/vda") -> str:
    """The line the Linux guest's init prints for a disk holding `data`
    (guest-images/linux/init.c, report_disk_checksum: FNV-1a, 64-bit)."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"emu-init: disk {device} bytes {len(data)} fnv1a {value:016x}"
