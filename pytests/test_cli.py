"""System tests of emu-system-riscv64's command line, loaders and boot.

Runs the real binary from $EMU_BUILD_DIR (default /work/main/build). The demo
guest comes from $EMU_GUEST_IMAGES/demo (what `make guest-images` builds) or
is built here with guest-images/build-demo.sh. Tiny test guests are
assembled by hand below (RV64I encodings), so no cross compiler is needed
for them.
"""

import os
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUILD_DIR = Path(os.environ.get("EMU_BUILD_DIR", Path(__file__).resolve().parent.parent / "build"))
EMU = BUILD_DIR / "emu-system-riscv64"
PROGRAM = "emu-system-riscv64"
OPENSBI = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin")
TIMEOUT = 120  # seconds; generous for a loaded 2-core CI machine


def run_emu(*args, timeout=TIMEOUT, stdin=subprocess.DEVNULL):
    return subprocess.run([str(EMU), *map(str, args)], stdin=stdin, capture_output=True, timeout=timeout)


def assert_one_line_error(result, expected_fragment):
    """Exit status 1 and exactly one line on stderr naming the problem."""
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1, stderr
    assert lines[0].startswith(PROGRAM + ": "), stderr
    assert expected_fragment in lines[0], stderr
    return lines[0]


@pytest.fixture(scope="session", autouse=True)
def emulator_exists():
    if not EMU.exists():
        pytest.fail(f"{EMU} not found: build first or set EMU_BUILD_DIR")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """Directory holding demo.elf and demo.bin."""
    cached = os.environ.get("EMU_GUEST_IMAGES")
    if cached and (Path(cached) / "demo" / "demo.elf").exists():
        return Path(cached) / "demo"
    if not shutil.which("riscv64-unknown-elf-gcc"):
        pytest.skip("no riscv64-unknown-elf-gcc to build the demo")
    out = tmp_path_factory.mktemp("demo")
    subprocess.run([str(REPO / "guest-images" / "build-demo.sh"), str(out)], check=True)
    return out


# ---- hand-assembled RV64I guests -------------------------------------------

def _i_type(opcode, funct3, rd, rs1, imm):
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode


def _s_type(opcode, funct3, rs1, rs2, imm):
    return (((imm >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((imm & 0x1F) << 7) | opcode


def _b_type(funct3, rs1, rs2, offset):
    imm = offset & 0x1FFF
    return ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12)
            | (((imm >> 1) & 0xF) << 8) | (((imm >> 11) & 1) << 7) | 0x63)


T0, T1, T2, T3, T4, T5, T6 = 5, 6, 7, 28, 29, 30, 31


def lui(rd, upper):
    return (upper << 12) | (rd << 7) | 0x37


def auipc(rd, upper):
    return (upper << 12) | (rd << 7) | 0x17


def addi(rd, rs1, imm):
    return _i_type(0x13, 0, rd, rs1, imm)


def lw(rd, rs1, imm):
    return _i_type(0x03, 2, rd, rs1, imm)


def sw(rs2, rs1, imm):
    return _s_type(0x23, 2, rs1, rs2, imm)


def bne(rs1, rs2, offset):
    return _b_type(1, rs1, rs2, offset)


def beq(rs1, rs2, offset):
    return _b_type(0, rs1, rs2, offset)


def lbu(rd, rs1, imm):
    return _i_type(0x03, 4, rd, rs1, imm)


def sb(rs2, rs1, imm):
    return _s_type(0x23, 0, rs1, rs2, imm)


def andi(rd, rs1, imm):
    return _i_type(0x13, 7, rd, rs1, imm)


def csrrw(rd, csr, rs1):
    return _i_type(0x73, 1, rd, rs1, csr)


def jal(rd, offset):
    imm = offset & 0x1FFFFF
    return ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3FF) << 21) | (((imm >> 11) & 1) << 20)
            | (((imm >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F)


WFI = 0x10500073


JUMP_TO_SELF = 0x0000006F  # jal x0, 0


def finisher_write(value):
    """t0 = sifive_test base, t1 = value, sw t1, 0(t0)."""
    upper, lower = (value + 0x800) >> 12, value & 0xFFF
    if lower >= 0x800:
        lower -= 0x1000
    return [lui(T0, 0x100), lui(T1, upper & 0xFFFFF), addi(T1, T1, lower), sw(T1, T0, 0)]


def program_bytes(words):
    return b"".join(struct.pack("<I", word) for word in words)


def elf64(segments, entry, machine=243, elf_type=2):
    """segments: list of (physical address, bytes, memory size)."""
    header_size, phentsize = 64, 56
    offset = header_size + phentsize * len(segments)
    headers, data = b"", b""
    for address, payload, memory_size in segments:
        headers += struct.pack("<IIQQQQQQ", 1, 7, offset + len(data), address, address, len(payload), memory_size, 0x1000)
        data += payload
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header = ident + struct.pack("<HHIQQQIHHHHHH", elf_type, machine, 1, entry, header_size, 0, 0, header_size,
                                 phentsize, len(segments), 0, 0, 0)
    return header + headers + data


# ---- errors: one clear line, exit status 1 --------------------------------

@pytest.mark.parametrize("args, fragment", [
    (["-foo"], "-foo: invalid option"),
    (["--machine=virt"], "--machine=virt: invalid option"),
    (["-m", "12Q"], "-m 12Q: invalid size"),
    (["-m"], "-m: requires an argument"),
    (["-smp", "9"], "Invalid SMP CPUs 9"),
    (["-M", "pc"], "unsupported machine type 'pc'"),
    (["-cpu", "host"], "unable to find CPU model 'host'"),
    (["-netdev", "user,id=n0"], "-netdev: not supported in emu"),
    (["-serial", "foo"], "'foo' is not a valid char driver"),
    (["-chardev", "stdio"], "chardev: no id specified"),
    (["-icount", "shift=99"], "Invalid shift value"),
    (["-initrd", "x.img"], "-initrd only allowed with -kernel option"),
])
def test_bad_options_fail_with_one_line(args, fragment):
    assert_one_line_error(run_emu(*args), fragment)


def test_missing_files_are_named(tmp_path):
    missing = tmp_path / "nope.elf"
    line = assert_one_line_error(run_emu("-M", "virt", "-bios", "none", "-kernel", missing),
                                 f"could not load kernel '{missing}'")
    assert "No such file or directory" in line
    assert_one_line_error(run_emu("-bios", missing), f"could not load firmware '{missing}'")
    assert_one_line_error(run_emu("-bios", "none", "-kernel", missing.parent, "-display", "none"), "Is a directory")


def test_bad_elf_inputs_fail_cleanly(tmp_path, demo):
    x86 = tmp_path / "x86.elf"
    x86.write_bytes(elf64([(0x80000000, b"\x13\0\0\0", 4)], 0x80000000, machine=62))
    assert_one_line_error(run_emu("-bios", "none", "-kernel", x86), f"{x86}: not a RISC-V 64-bit ELF (machine 62)")

    truncated = tmp_path / "truncated.elf"
    truncated.write_bytes((demo / "demo.elf").read_bytes()[:40])
    assert_one_line_error(run_emu("-bios", "none", "-kernel", truncated), "truncated ELF header")

    on_uart = tmp_path / "uart.elf"
    on_uart.write_bytes(elf64([(0x10000000, b"\1\2\3\4", 4)], 0x10000000))
    assert_one_line_error(run_emu("-bios", "none", "-kernel", on_uart), "segment at 0x10000000 overlaps serial")

    past_ram = tmp_path / "big.elf"
    past_ram.write_bytes(elf64([(0x80000000, b"\1", 0x10000000)], 0x80000000))
    assert_one_line_error(run_emu("-bios", "none", "-m", "128M", "-kernel", past_ram), "runs past the end of ram")

    big_raw = tmp_path / "big.bin"
    big_raw.write_bytes(bytes(3 << 20))
    assert_one_line_error(run_emu("-bios", "none", "-m", "2M", "-kernel", big_raw), "kernel too big for RAM")


# ---- help, version, dumpdtb --------------------------------------------------

def test_machine_help_lists_virt():
    result = run_emu("-M", "help")
    assert result.returncode == 0
    assert result.stdout.decode().splitlines() == [
        "Supported machines are:",
        "virt                 RISC-V VirtIO board (default)",
    ]


@pytest.mark.parametrize("args, expected", [
    (["-cpu", "help"], "rv64"),
    (["-chardev", "help"], "stdio"),
    (["-device", "help"], ""),
    (["-M", "virt,help"], "dumpdtb=<string>"),
    (["-version"], "emu version"),
    (["-h"], "usage: emu-system-riscv64"),
])
def test_help_and_version_exit_zero(args, expected):
    result = run_emu(*args)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout.decode()


def test_dumpdtb_writes_the_tree_and_exits(tmp_path, demo):
    dtb = tmp_path / "virt.dtb"
    result = run_emu("-M", f"virt,dumpdtb={dtb}", "-smp", "2", "-m", "256M", "-bios", "none",
                     "-kernel", demo / "demo.elf", "-append", "console=ttyS0")
    assert result.returncode == 0, result.stderr
    blob = dtb.read_bytes()
    magic, total_size = struct.unpack(">II", blob[:8])
    assert magic == 0xD00DFEED
    assert total_size == len(blob)
    assert b"console=ttyS0" in blob
    assert b"cpu@1" in blob and b"cpu@2" not in blob
    if shutil.which("dtc"):
        source = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", str(dtb)], capture_output=True, check=True).stdout
        assert b"reg = <0x00 0x80000000 0x00 0x10000000>" in source  # 256 MiB of RAM at 0x80000000


@pytest.mark.skipif(not shutil.which("fdtget"), reason="fdtget (device-tree-compiler) not installed")
@pytest.mark.parametrize("memory, firmware, kernel, expected_start", [
    ("128M", "none", "demo.elf", 0x84000000),   # kernel at 0x80000000 + RAM/2
    ("512M", "none", "demo.elf", 0x88000000),   # kernel + 128 MiB at most
    ("128M", "default", "demo.bin", 0x84200000),  # raw kernel after OpenSBI at 0x80200000
])
def test_initrd_is_placed_like_qemu(tmp_path, demo, memory, firmware, kernel, expected_start):
    if firmware == "default" and not OPENSBI.exists():
        pytest.skip("no OpenSBI")
    initrd = tmp_path / "initrd.img"
    initrd.write_bytes(bytes(range(256)) * 4000)
    dtb = tmp_path / "virt.dtb"
    result = run_emu("-M", f"virt,dumpdtb={dtb}", "-m", memory, "-bios", firmware, "-kernel", demo / kernel,
                     "-initrd", initrd)
    assert result.returncode == 0, result.stderr

    def chosen(name):
        value = subprocess.run(["fdtget", "-t", "x", str(dtb), "/chosen", name], capture_output=True, check=True)
        cells = [int(cell, 16) for cell in value.stdout.split()]
        return cells[0] << 32 | cells[1] if len(cells) == 2 else cells[0]

    assert chosen("linux,initrd-start") == expected_start
    assert chosen("linux,initrd-end") == expected_start + 256 * 4000


# ---- booting -----------------------------------------------------------------

def test_demo_boots_prints_banner_and_powers_off(demo):
    result = run_emu("-M", "virt", "-m", "256M", "-bios", "none", "-nographic", "-kernel", demo / "demo.elf")
    output = result.stdout.decode()
    assert result.returncode == 0, output + result.stderr.decode()
    assert "emu demo: hello from hart 0" in output
    assert "device tree at 0x8fe00000 (magic d00dfeed)" in output
    assert "fw_dynamic_info: magic 0x4942534f, version 2, next_addr 0x80000000, next_mode 1" in output
    assert 'crc32("123456789") = 0xcbf43926' in output
    assert "(advancing)" in output
    assert output.rstrip().endswith("emu demo: powering off")


def test_demo_runs_are_identical_including_time(demo):
    args = ("-bios", "none", "-nographic", "-smp", "2", "-kernel", demo / "demo.elf")
    first, second = run_emu(*args), run_emu(*args)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout  # the time CSR value too: time comes from the instruction count


def test_raw_demo_image_boots_at_dram_base(demo):
    result = run_emu("-bios", "none", "-serial", "stdio", "-display", "none", "-kernel", demo / "demo.bin")
    assert result.returncode == 0, result.stderr
    assert b"emu demo: hello from hart 0" in result.stdout


def test_serial_to_file(tmp_path, demo):
    log = tmp_path / "serial.log"
    result = run_emu("-bios", "none", "-serial", f"file:{log}", "-display", "none", "-kernel", demo / "demo.elf")
    assert result.returncode == 0
    assert result.stdout == b""
    assert "emu demo: hello from hart 0" in log.read_text()


def test_test_finisher_fail_code_is_the_exit_status(tmp_path):
    guest = tmp_path / "fail.bin"
    guest.write_bytes(program_bytes(finisher_write(0x3333 | (7 << 16)) + [JUMP_TO_SELF]))
    assert run_emu("-bios", "none", "-display", "none", "-kernel", guest).returncode == 7


def test_reset_reboots_unless_no_reboot(tmp_path):
    # Boot 1 finds the flag word (outside the image, so reset keeps it) at 0,
    # sets it and asks for a reset; boot 2 finds it set and fails with code 5.
    words = [auipc(T2, 0x100), lw(T1, T2, 0)]  # the flag is 1 MiB after the start of the image
    second_boot = finisher_write(0x3333 | (5 << 16)) + [JUMP_TO_SELF]
    first_boot = [addi(T1, 0, 1), sw(T1, T2, 0)] + finisher_write(0x7777) + [JUMP_TO_SELF]
    words.append(bne(T1, 0, 4 * (len(first_boot) + 1)))
    words += first_boot + second_boot
    guest = tmp_path / "reset.bin"
    guest.write_bytes(program_bytes(words))
    assert run_emu("-bios", "none", "-display", "none", "-kernel", guest).returncode == 5
    assert run_emu("-bios", "none", "-display", "none", "-no-reboot", "-kernel", guest).returncode == 0


def echo_guest():
    """Sleeps in WFI until the UART's receive interrupt arrives through the
    PLIC, echoes every received byte, and powers off on 'q'."""
    words = [
        lui(T0, 0x10000),                     # t0 = uart0
        addi(T1, 0, 1), sb(T1, T0, 1),        # IER = receive-data interrupt
        lui(T3, 0xC000),                      # t3 = PLIC
        sw(T1, T3, 4 * 10),                   # priority[10] = 1 (uart0)
        lui(T4, 0xC002), addi(T1, 0, 1 << 10), sw(T1, T4, 0),  # context 0 (hart 0 M) enables source 10
        lui(T4, 0xC200), sw(0, T4, 0),        # context 0 threshold 0; t4 = its claim register - 4
        addi(T1, 0, 0x7FF), addi(T1, T1, 1),  # t1 = 0x800 (MEIE)
        csrrw(0, 0x304, T1),                  # mie = MEIE (mstatus.MIE stays 0: WFI just wakes)
    ]
    loop = len(words)
    words += [WFI, lw(T5, T4, 4)]             # wait; claim
    drain = len(words)
    words += [lbu(T1, T0, 5), andi(T1, T1, 1)]          # LSR.DR?
    words.append(None)                                   # beqz t1, done (patched below)
    words += [lbu(T2, T0, 0), addi(T6, 0, ord("q"))]
    words.append(None)                                   # beq t2, t6, power_off (patched)
    words += [sb(T2, T0, 0), jal(0, 4 * (drain - (len(words) + 1)))]
    done = len(words)
    words += [sw(T5, T4, 4), jal(0, 4 * (loop - (len(words) + 1)))]  # complete; back to WFI
    power_off = len(words)
    words += finisher_write(0x5555) + [JUMP_TO_SELF]
    words[drain + 2] = beq(T1, 0, 4 * (done - (drain + 2)))
    words[drain + 5] = beq(T2, T6, 4 * (power_off - (drain + 5)))
    return program_bytes(words)


def test_host_input_wakes_an_idle_guest_through_the_uart_interrupt(tmp_path):
    guest = tmp_path / "echo.bin"
    guest.write_bytes(echo_guest())
    process = subprocess.Popen([str(EMU), "-bios", "none", "-serial", "stdio", "-display", "none", "-kernel",
                                str(guest)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(1)  # the guest is asleep in WFI by now: emu blocks on stdin
        process.stdin.write(b"hello ")
        process.stdin.flush()
        time.sleep(0.5)
        stdout, stderr = process.communicate(b"world q never echoed", timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert stdout == b"hello world "


def s_mode_payload():
    """Prints a line (with a0, the hart id OpenSBI passes) and powers off."""
    words = [lui(T0, 0x10000)]
    for byte in b"S-mode payload reached, a0=":
        words += [addi(T1, 0, byte), sb(T1, T0, 0)]
    words += [addi(T1, 10, ord("0")), sb(T1, T0, 0), addi(T1, 0, ord("\n")), sb(T1, T0, 0)]
    return program_bytes(words + finisher_write(0x5555) + [JUMP_TO_SELF])


@pytest.mark.skipif(not OPENSBI.exists(), reason="Debian's opensbi package is not installed")
def test_default_firmware_is_opensbi_and_starts_the_kernel_in_s_mode(tmp_path):
    payload = tmp_path / "payload.bin"
    payload.write_bytes(s_mode_payload())
    result = run_emu("-M", "virt", "-smp", "2", "-nographic", "-kernel", payload)
    output = result.stdout.decode(errors="replace")
    assert result.returncode == 0, output + result.stderr.decode()
    assert "OpenSBI v1" in output
    assert "Platform Name             : riscv-virtio,qemu" in output
    assert "Platform HART Count       : 2" in output
    assert "Domain0 Next Address      : 0x0000000080200000" in output  # raw kernel: first 2 MiB boundary after OpenSBI
    assert "Domain0 Next Arg1         : 0x0000000087e00000" in output  # the device tree
    assert "Domain0 Next Mode         : S-mode" in output
    assert "S-mode payload reached, a0=0" in output


# ---- the terminal ----------------------------------------------------------

def test_ctrl_a_x_quits_and_the_terminal_is_restored():
    pexpect = pytest.importorskip("pexpect")
    # -S: the machine waits (no monitor yet), so only Ctrl-A x can end it.
    shell = pexpect.spawn("/bin/sh", ["-c", f"{EMU} -nographic -bios none -S; echo STATUS=$?; stty -a"],
                          timeout=TIMEOUT, env={**os.environ, "TERM": "dumb"})
    time.sleep(0.5)
    shell.send("\x01h")
    shell.expect("C-a x    exit emulator")
    shell.send("\x01x")
    shell.expect(r"STATUS=(\d+)")
    assert shell.match.group(1) == b"0"
    shell.expect(pexpect.EOF)
    settings = shell.before.decode().split()
    for flag in ("icanon", "echo", "isig", "icrnl", "ixon"):
        assert flag in settings, settings  # "-icanon" etc. would mean raw mode leaked
