#!/usr/bin/python3
"""Compare emu's riscv64 `virt` device tree with QEMU 7.2's.

Two ways to run it:

  compare-dtb.py EMU_TREE QEMU_TREE
      Compare two trees. Each is a .dtb blob or .dts source (dts is compiled
      with dtc first). The order matters: the second one is QEMU's, the
      reference (see --isa).

  compare-dtb.py --emu PATH --qemu PATH [--smp 1,2,4,8] [--variants ...]
      Run both emulators with `-M virt,dumpdtb=FILE` and the same options for
      every combination of hart count and variant, and compare each pair:
        plain   -m 256M -smp N -nographic -bios none -kernel K
        append  ... -append "console=ttyS0 earlycon"
        initrd  ... -initrd I
        both    ... -initrd I -append "console=ttyS0 earlycon"
        virtio  ... -drive file=D,format=raw,if=none,id=disk0
                    -device virtio-blk-device,drive=disk0 -device virtio-rng-device
      K is a 4-byte raw kernel (`j .`), I a 1234-byte file, D a 64 KiB disk,
      all made here.

Both trees are normalised, rendered as text and compared; a unified diff of
every difference is printed. Exit status: 0 all equal, 1 some difference,
2 usage error or an emulator/dtc failure.

Normalisation (each step exists because of a documented, deliberate
difference between emu and QEMU 7.2, see emu/hw/boards/virt_device_tree.cpp):
  * phandle values become references by node path (`<&/soc/plic@c000000>`),
    in phandle, interrupt-parent, regmap, cpu, interrupts-extended and
    interrupt-map; the numbering itself is then irrelevant.
  * /chosen/rng-seed is removed: QEMU fills it with host-random bytes on
    every run, emu is deterministic and leaves it out.
  * Nodes for devices emu does not model yet are removed on both sides:
    /fw-cfg@*, /flash@*, /platform-bus@*, /soc/pci@*, and /pmu (emu's harts
    count no hardware events, so emu does not claim an event-to-counter map).
    --keep-unmodelled turns this off.
  * riscv,isa (--isa, default "reduce"): on QEMU's side, extensions emu does
    not implement are dropped (QEMU 7.2's default cpu also has h, zba, zbb,
    zbc, zbs, zihintpause, sstc); on both sides "g" is expanded and zicsr and
    zifencei, implied by "i" before they were split out of the base ISA, are
    made explicit; extensions are put in one canonical order. Extensions that
    emu claims but QEMU's cpu lacks still show as a difference.
    "strict" compares the strings as they are, "ignore" drops them.

Node and property order is compared too (emu reproduces QEMU's order, and the
order of the virtio_mmio nodes decides how Linux names the disks); --sort
compares sorted trees instead.

Only the Python standard library is used (Debian's /usr/bin/python3).
"""

import argparse
import difflib
import fnmatch
import os
import struct
import subprocess
import sys
import tempfile

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END = 1, 2, 3, 4, 9

UNMODELLED_NODES = ["/pmu", "/fw-cfg@*", "/flash@*", "/platform-bus@*", "/soc/pci@*"]
NONDETERMINISTIC_PROPERTIES = ["/chosen/rng-seed"]
# Properties whose every cell is a phandle.
PHANDLE_LIST_PROPERTIES = {"interrupt-parent", "regmap", "cpu", "msi-parent"}
# What emu's hart implements (the default for --emu-extensions).
EMU_EXTENSIONS = "i,m,a,f,d,c,zicsr,zifencei,zicntr"
# Canonical order of single-letter extensions (unprivileged spec, ISA naming
# conventions chapter).
SINGLE_LETTER_ORDER = "iemafdgqlcbkjtpvnh"


class TreeError(Exception):
    pass


class Node:
    def __init__(self, name, parent):
        self.name = name
        self.parent = parent
        self.properties = []  # [name, bytes] in blob order
        self.children = []

    @property
    def path(self):
        if self.parent is None:
            return "/"
        parent_path = self.parent.path
        return (parent_path if parent_path != "/" else "") + "/" + self.name

    def property(self, name):
        for property_name, value in self.properties:
            if property_name == name:
                return value
        return None

    def cell_property(self, name, default):
        value = self.property(name)
        if value is None or len(value) != 4:
            return default
        return struct.unpack(">I", value)[0]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Tree:
    def __init__(self, root, reservations, boot_cpuid):
        self.root = root
        self.reservations = reservations
        self.boot_cpuid = boot_cpuid


def parse_dtb(blob):
    """Parses a flattened device tree blob (devicetree specification ch. 5)."""
    try:
        return parse_dtb_unchecked(blob)
    except (struct.error, ValueError, IndexError) as error:
        raise TreeError("malformed dtb: %s" % error)


def parse_dtb_unchecked(blob):
    if len(blob) < 40:
        raise TreeError("too short for a dtb header")
    (magic, totalsize, off_struct, off_strings, off_reservations, version, _last_compatible,
     boot_cpuid, size_strings, size_struct) = struct.unpack(">10I", blob[:40])
    if magic != FDT_MAGIC:
        raise TreeError("bad magic 0x%08x" % magic)
    if totalsize > len(blob) or version < 16:
        raise TreeError("truncated blob or unsupported version %d" % version)
    strings = blob[off_strings:off_strings + size_strings]

    reservations = []
    offset = off_reservations
    while True:
        address, size = struct.unpack(">QQ", blob[offset:offset + 16])
        offset += 16
        if address == 0 and size == 0:
            break
        reservations.append((address, size))

    def string_at(data, start):
        end = data.index(b"\0", start)
        return data[start:end].decode("utf-8", "replace"), end

    root = None
    current = None
    offset = off_struct
    end_of_struct = off_struct + size_struct
    while offset < end_of_struct:
        (token,) = struct.unpack(">I", blob[offset:offset + 4])
        offset += 4
        if token == FDT_BEGIN_NODE:
            name, end = string_at(blob, offset)
            offset = (end + 1 + 3) & ~3
            node = Node(name, current)
            if current is None:
                if root is not None:
                    raise TreeError("more than one root node")
                root = node
            else:
                current.children.append(node)
            current = node
        elif token == FDT_END_NODE:
            if current is None:
                raise TreeError("unbalanced END_NODE")
            current = current.parent
        elif token == FDT_PROP:
            length, name_offset = struct.unpack(">II", blob[offset:offset + 8])
            offset += 8
            name, _ = string_at(strings, name_offset)
            if current is None:
                raise TreeError("property outside a node")
            current.properties.append([name, blob[offset:offset + length]])
            offset = (offset + length + 3) & ~3
        elif token == FDT_NOP:
            pass
        elif token == FDT_END:
            break
        else:
            raise TreeError("bad token %d at 0x%x" % (token, offset - 4))
    if root is None or current is not None:
        raise TreeError("no root node or unterminated node")
    return Tree(root, reservations, boot_cpuid)


def load_tree(path):
    with open(path, "rb") as file:
        data = file.read()
    if len(data) >= 4 and struct.unpack(">I", data[:4])[0] == FDT_MAGIC:
        return parse_dtb(data)
    try:
        result = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", "-", path],
                                capture_output=True, check=False)
    except FileNotFoundError:
        raise TreeError("dtc not found (needed to read .dts files)")
    if result.returncode != 0:
        raise TreeError("dtc failed on %s:\n%s" % (path, result.stderr.decode(errors="replace")))
    return parse_dtb(result.stdout)


# ---------------------------------------------------------------- riscv,isa

def parse_isa(isa):
    """Splits "rv64imafdc_zicsr" into ("rv64", ["i", ...], ["zicsr", ...])."""
    isa = isa.lower()
    if not isa.startswith(("rv32", "rv64", "rv128")):
        return None
    base_length = 5 if isa.startswith("rv128") else 4
    parts = isa[base_length:].split("_")
    return isa[:base_length], list(parts[0]), [part for part in parts[1:] if part]


def canonical_isa(isa, keep=None):
    """Expands g and the zicsr/zifencei that i implies, keeps only `keep` (if
    given) and orders the extensions canonically."""
    parsed = parse_isa(isa)
    if parsed is None:
        return isa
    base, letters, multi_letter = parsed
    extensions = set(letters) | set(multi_letter)
    if "g" in extensions:
        extensions |= {"i", "m", "a", "f", "d", "zicsr", "zifencei"}
        extensions.discard("g")
    if "i" in extensions:
        extensions |= {"zicsr", "zifencei"}
    if keep is not None:
        extensions &= keep
    def letter_rank(letter):
        position = SINGLE_LETTER_ORDER.find(letter)
        return (position if position >= 0 else len(SINGLE_LETTER_ORDER), letter)
    single = sorted((e for e in extensions if len(e) == 1), key=letter_rank)
    prefix_rank = {"z": 0, "s": 1, "x": 2}
    multi = sorted((e for e in extensions if len(e) > 1),
                   key=lambda e: (prefix_rank.get(e[0], 3), e))
    return base + "".join(single) + "".join("_" + e for e in multi)


# ---------------------------------------------------------------- rendering

def is_string_list(value):
    if not value or value[-1] != 0:
        return False
    for piece in value[:-1].split(b"\0"):
        if not piece or any(byte < 0x20 or byte > 0x7E for byte in piece):
            return False
    return True


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cells_of(value):
    return list(struct.unpack(">%dI" % (len(value) // 4), value))


class Renderer:
    def __init__(self, tree, options, is_reference):
        self.options = options
        self.is_reference = is_reference
        self.phandle_paths = {}
        self.nodes_by_phandle = {}
        for node in tree.root.walk():
            for name in ("phandle", "linux,phandle"):
                handle = node.cell_property(name, None)
                if handle is not None:
                    self.phandle_paths[handle] = node.path
                    self.nodes_by_phandle[handle] = node

    def reference(self, handle):
        path = self.phandle_paths.get(handle)
        return "&" + path if path is not None else "&UNKNOWN-PHANDLE-0x%x" % handle

    def interrupt_cells(self, handle):
        node = self.nodes_by_phandle.get(handle)
        return node.cell_property("#interrupt-cells", 1) if node is not None else 1

    def interrupts_extended(self, cells):
        groups = []
        index = 0
        while index < len(cells):
            handle = cells[index]
            count = self.interrupt_cells(handle)
            specifier = cells[index + 1:index + 1 + count]
            groups.append(" ".join([self.reference(handle)] + ["0x%x" % c for c in specifier]))
            index += 1 + count
        return "<" + ">, <".join(groups) + ">"

    def interrupt_map(self, node, cells):
        # Entry: child unit address, child specifier, parent phandle, parent
        # unit address, parent specifier (devicetree specification 2.4.3.1).
        child_cells = node.cell_property("#address-cells", 2) + node.cell_property("#interrupt-cells", 1)
        groups = []
        index = 0
        while index + child_cells < len(cells):
            child = cells[index:index + child_cells]
            handle = cells[index + child_cells]
            parent = self.nodes_by_phandle.get(handle)
            parent_cells = 1
            if parent is not None:
                parent_cells = (parent.cell_property("#address-cells", 0)
                                + parent.cell_property("#interrupt-cells", 1))
            rest = cells[index + child_cells + 1:index + child_cells + 1 + parent_cells]
            groups.append(" ".join(["0x%x" % c for c in child] + [self.reference(handle)]
                                   + ["0x%x" % c for c in rest]))
            index += child_cells + 1 + parent_cells
        return "<" + ">, <".join(groups) + ">"

    def value(self, node, name, value):
        if name in ("phandle", "linux,phandle") and len(value) == 4:
            return "<%s>" % self.reference(cells_of(value)[0])
        if name in PHANDLE_LIST_PROPERTIES and value and len(value) % 4 == 0:
            return "<" + " ".join(self.reference(c) for c in cells_of(value)) + ">"
        if name == "interrupts-extended" and len(value) % 4 == 0:
            return self.interrupts_extended(cells_of(value))
        if name == "interrupt-map" and len(value) % 4 == 0:
            return self.interrupt_map(node, cells_of(value))
        if name in ("linux,initrd-start", "linux,initrd-end") and self.options.ignore_initrd_addresses:
            return "<address (not compared)>"
        if name == "riscv,isa" and is_string_list(value) and self.options.isa != "strict":
            if self.options.isa == "ignore":
                return "(not compared)"
            keep = self.options.emu_extensions if self.is_reference else None
            return quote(canonical_isa(value[:-1].decode(), keep)) + " /* normalised */"
        if not value:
            return None
        if is_string_list(value):
            return ", ".join(quote(piece.decode()) for piece in value[:-1].split(b"\0"))
        if len(value) % 4 == 0:
            return "<" + " ".join("0x%x" % c for c in cells_of(value)) + ">"
        return "[" + " ".join("%02x" % byte for byte in value) + "]"

    def render(self, tree):
        lines = ["/dts-v1/;"]
        lines += ["/memreserve/ 0x%x 0x%x;" % pair for pair in tree.reservations]
        lines.append("// boot_cpuid_phys: %d" % tree.boot_cpuid)
        self.render_node(tree.root, 0, lines)
        return lines

    def render_node(self, node, depth, lines):
        indent = "\t" * depth
        lines.append(indent + (node.name or "/") + " {")
        properties = node.properties
        children = node.children
        if self.options.sort:
            properties = sorted(properties, key=lambda p: p[0])
            children = sorted(children, key=lambda c: c.name)
        for name, value in properties:
            if self.dropped_property(node, name):
                continue
            rendered = self.value(node, name, value)
            lines.append(indent + "\t" + name + (" = " + rendered if rendered is not None else "") + ";")
        for child in children:
            if not self.dropped_node(child):
                self.render_node(child, depth + 1, lines)
        lines.append(indent + "};")

    def dropped_node(self, node):
        return any(fnmatch.fnmatchcase(node.path, pattern) for pattern in self.options.drop_nodes)

    def dropped_property(self, node, name):
        path = (node.path if node.path != "/" else "") + "/" + name
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in self.options.drop_properties)


def normalised_text(tree, options, is_reference):
    return Renderer(tree, options, is_reference).render(tree)


def compare_trees(emu_tree, qemu_tree, options, label):
    """Prints a unified diff; returns True when the normalised trees match."""
    emu_lines = normalised_text(emu_tree, options, is_reference=False)
    qemu_lines = normalised_text(qemu_tree, options, is_reference=True)
    if options.show:
        print("\n".join(["==== emu (normalised) " + label] + emu_lines))
        print("\n".join(["==== qemu (normalised) " + label] + qemu_lines))
    diff = list(difflib.unified_diff(qemu_lines, emu_lines, "qemu " + label, "emu " + label,
                                     lineterm="", n=3))
    if diff:
        print("\n".join(diff))
        return False
    if not options.quiet:
        print("same: " + label)
    return True


# ---------------------------------------------------------------- running emulators

VARIANTS = {  # (with -append, with -initrd, with virtio devices)
    "plain": (False, False, False),
    "append": (True, False, False),
    "initrd": (False, True, False),
    "both": (True, True, False),
    "virtio": (False, False, True),
}
BOOTARGS = "console=ttyS0 earlycon"


def dump_tree(emulator, arguments, output_path, timeout):
    command = [emulator, "-M", "virt,dumpdtb=" + output_path] + arguments
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise TreeError("%s: %s" % (" ".join(command), error))
    if not os.path.exists(output_path):
        raise TreeError("%s wrote no dtb (exit %d):\n%s" % (
            " ".join(command), result.returncode, result.stderr.decode(errors="replace")))
    with open(output_path, "rb") as file:
        return parse_dtb(file.read())


def run_combinations(options):
    all_same = True
    with tempfile.TemporaryDirectory(prefix="compare-dtb-") as directory:
        kernel = os.path.join(directory, "kernel.bin")
        with open(kernel, "wb") as file:
            file.write(struct.pack("<I", 0x0000006F))  # jal x0, 0: a loop
        initrd = os.path.join(directory, "initrd.bin")
        with open(initrd, "wb") as file:
            file.write(bytes(range(256)) * 4 + bytes(210))  # 1234 bytes
        disk = os.path.join(directory, "disk.img")
        with open(disk, "wb") as file:
            file.write(bytes(65536))
        for harts in options.smp:
            for variant in options.variants:
                with_append, with_initrd, with_virtio = VARIANTS[variant]
                arguments = ["-m", options.memory, "-smp", str(harts), "-nographic",
                             "-bios", "none", "-kernel", kernel]
                if with_initrd:
                    arguments += ["-initrd", initrd]
                if with_append:
                    arguments += ["-append", BOOTARGS]
                if with_virtio:
                    arguments += ["-drive", "file=%s,format=raw,if=none,id=disk0" % disk,
                                  "-device", "virtio-blk-device,drive=disk0", "-device", "virtio-rng-device"]
                label = "(-smp %d %s)" % (harts, variant)
                emu_tree = dump_tree(options.emu, arguments,
                                     os.path.join(directory, "emu.dtb"), options.timeout)
                qemu_tree = dump_tree(options.qemu, arguments,
                                      os.path.join(directory, "qemu.dtb"), options.timeout)
                os.remove(os.path.join(directory, "emu.dtb"))
                os.remove(os.path.join(directory, "qemu.dtb"))
                all_same &= compare_trees(emu_tree, qemu_tree, options, label)
    return all_same


def comma_list(text):
    return [item.strip() for item in text.split(",") if item.strip()]


def main(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring (head of this file) for the normalisation rules.")
    parser.add_argument("trees", nargs="*", metavar="TREE",
                        help="EMU_TREE QEMU_TREE (.dtb or .dts); omit when using --emu/--qemu")
    parser.add_argument("--emu", help="emu binary (run with -M virt,dumpdtb=FILE)")
    parser.add_argument("--qemu", help="qemu-system-riscv64 binary")
    parser.add_argument("--smp", default="1,2,4,8", help="hart counts (default 1,2,4,8)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="subset of %s (default all)" % ",".join(VARIANTS))
    parser.add_argument("-m", "--memory", default="256M", help="RAM size option (default 256M)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per emulator run")
    parser.add_argument("--isa", choices=["reduce", "strict", "ignore"], default="reduce",
                        help="how to compare riscv,isa (default reduce)")
    parser.add_argument("--emu-extensions", default=EMU_EXTENSIONS,
                        help="extensions emu implements, for --isa reduce (default %s)" % EMU_EXTENSIONS)
    parser.add_argument("--keep-unmodelled", action="store_true",
                        help="do not drop %s" % " ".join(UNMODELLED_NODES))
    parser.add_argument("--ignore-initrd-addresses", action="store_true",
                        help="do not compare the values of linux,initrd-start/end")
    parser.add_argument("--sort", action="store_true", help="ignore node and property order")
    parser.add_argument("--show", action="store_true", help="also print both normalised trees")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only differences")
    options = parser.parse_args(argv)

    options.emu_extensions = set(comma_list(options.emu_extensions.lower()))
    options.drop_nodes = [] if options.keep_unmodelled else list(UNMODELLED_NODES)
    options.drop_properties = list(NONDETERMINISTIC_PROPERTIES)
    try:
        if options.trees:
            if len(options.trees) != 2 or options.emu or options.qemu:
                parser.error("give either EMU_TREE QEMU_TREE or --emu and --qemu")
            emu_path, qemu_path = options.trees
            same = compare_trees(load_tree(emu_path), load_tree(qemu_path), options,
                                 "(%s vs %s)" % (emu_path, qemu_path))
        else:
            if not (options.emu and options.qemu):
                parser.error("give either EMU_TREE QEMU_TREE or --emu and --qemu")
            try:
                options.smp = [int(n) for n in comma_list(options.smp)]
            except ValueError:
                parser.error("--smp takes numbers, e.g. 1,2,4")
            options.variants = comma_list(options.variants)
            unknown = [v for v in options.variants if v not in VARIANTS]
            if unknown:
                parser.error("unknown variant(s): " + ",".join(unknown))
            same = run_combinations(options)
    except (TreeError, OSError) as error:
        print("compare-dtb: error: %s" % error, file=sys.stderr)
        return 2
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
