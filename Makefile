# The two commands of the README:
#   make run    set everything up on a fresh Debian 12 machine and boot the default guest
#   make test   set everything up the same way and run every test
# Everything else here is a step of those two.

BUILD_DIR       ?= build
ASAN_BUILD_DIR  ?= build-asan
# Guest images are cached outside the clone, keyed by their recipe (see guest-images/).
GUEST_CACHE     ?= $(HOME)/.cache/emu/guest-images
JOBS            ?= $(shell nproc)
PYTHON          := /usr/bin/python3
EMU             := $(BUILD_DIR)/emu-system-riscv64

export CCACHE_DIR ?= $(HOME)/.cache/ccache

.PHONY: all setup configure build build-asan guest-images run test unit-tests asan-tests isa-tests pytests fuzz bench clean

all: build

setup:
	@ci/setup

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(ASAN_BUILD_DIR)/build.ninja:
	cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEMU_SANITIZE=ON

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: setup $(ASAN_BUILD_DIR)/build.ninja
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS) --target emu-unit-tests

guest-images: setup
	@guest-images/build-all.sh $(GUEST_CACHE)

# The default guest, on the console: Linux (guest-images/linux) under the
# default OpenSBI, with a small virtio-blk disk and a virtio-rng; its init
# reports what it finds and offers a command loop (echo, cat, work N,
# poweroff). Ctrl-A x quits.
RUN_DISK := $(GUEST_CACHE)/run-disk.img

$(RUN_DISK):
	mkdir -p $(dir $@)
	printf 'emu run disk\n' > $@.tmp && truncate -s 1M $@.tmp && mv $@.tmp $@

run: build guest-images $(RUN_DISK)
	$(EMU) -M virt -m 256M -nographic -kernel $(GUEST_CACHE)/linux/Image \
	    -initrd $(GUEST_CACHE)/linux-initramfs/initramfs.cpio -append console=ttyS0 \
	    -drive file=$(RUN_DISK),format=raw,if=none,id=disk0 -device virtio-blk-device,drive=disk0 \
	    -device virtio-rng-device

unit-tests: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan-tests: build-asan
	ctest --test-dir $(ASAN_BUILD_DIR) --output-on-failure -j $(JOBS)

# Every ISA test on emu and on Debian's qemu-system-riscv64 (the peer), then
# on emu's other engine, the interpreter (the JIT is the default; docs/jit.md).
# jit-threshold=1: the JIT translates code the first time it runs (by
# default code reached fewer than 16 times stays in the interpreter, which
# would leave most of a test's code untranslated).
isa-tests: build guest-images
	$(PYTHON) testing/run-isa-tests.py --both --emulator $(EMU) --emulator-args "-accel tcg,jit-threshold=1" --tests $(GUEST_CACHE)/isa
	$(PYTHON) testing/run-isa-tests.py --no-build --emulator $(EMU) --emulator-args "-accel tcg,jit=off" --tests $(GUEST_CACHE)/isa

# System tests that drive emu's binary.
EMU_PYTESTS  := pytests
# The QMP/HMP conformance modules also run against the peer (Debian's
# qemu-system-riscv64): passing on both is the compatibility proof.
PEER_PYTESTS := pytests/test_qmp_conformance.py pytests/test_hmp.py pytests/test_hmp_interactive.py pytests/test_chardev_pipe.py \
                pytests/test_shutdown.py pytests/test_uboot.py pytests/test_linux.py pytests/test_virt_board.py \
                pytests/test_replay_qemu_cli.py

pytests: build guest-images
	EMU_BUILD_DIR=$(abspath $(BUILD_DIR)) EMU_GUEST_IMAGES=$(GUEST_CACHE) $(PYTHON) -m pytest -q $(EMU_PYTESTS)
	EMU_BINARY=/usr/bin/qemu-system-riscv64 EMU_GUEST_IMAGES=$(GUEST_CACHE) $(PYTHON) -m pytest -q $(PEER_PYTESTS)

# Bounded libFuzzer runs of the parsers (QMP, virtqueues); FUZZ_SECONDS sets the length.
fuzz: setup
	testing/run-fuzzers.sh $(BUILD_DIR)/fuzz

test: unit-tests asan-tests isa-tests pytests fuzz

# Speed of emu's JIT and interpreter next to QEMU (plain TCG and -icount) on
# the guest-images/bench workloads and a Linux boot: a table of medians and
# ratios, not a test (not part of make test).
bench: build guest-images
	$(PYTHON) testing/bench/run-bench.py --emu $(EMU) --images $(GUEST_CACHE)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR)
