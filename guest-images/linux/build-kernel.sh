#!/usr/bin/env bash
# Builds the guest kernel Image from Debian's linux-source-6.1 with the config
# fragment beside this script. The result is cached outside the clone, keyed
# by the hash of the recipe (this script, the fragment, the source package
# version), so it is built once per machine (~6 minutes on 2 cores).
#   usage: build-kernel.sh OUTPUT_DIR      -> OUTPUT_DIR/Image, OUTPUT_DIR/gen_init_cpio
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build-kernel.sh OUTPUT_DIR}"
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || { echo "build-kernel.sh: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }

# Two builds into one cache (make run beside make test) would trample each
# other's work tree: hold a lock for the whole build.
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

source_version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$(cat "$here/build-kernel.sh" "$here/kernel.config" <(echo "$source_version") | sha256sum | cut -c1-16)
if [ -f "$out/$key.done" ] && [ -f "$out/Image" ]; then
  exit 0
fi

echo "build-kernel.sh: building Linux $source_version for riscv64 (recipe $key); this takes a few minutes" >&2
work="$out/work"
rm -rf "$work" && mkdir -p "$work"
tar -xf "$tarball" -C "$work"
src="$work/linux-source-6.1"

# Reproducible builds: no host name, user or time in the image.
export KBUILD_BUILD_TIMESTAMP="2023-01-01 00:00:00 UTC" KBUILD_BUILD_USER=emu KBUILD_BUILD_HOST=emu KBUILD_BUILD_VERSION=1
make_args=(-C "$src" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j"$(nproc)" -s)
KCONFIG_ALLCONFIG="$here/kernel.config" make "${make_args[@]}" allnoconfig >/dev/null
# Every requested option must have stuck (a typo or missing dependency would silently drop it).
while IFS= read -r line; do
  case "$line" in CONFIG_*) grep -qx "$line" "$src/.config" || { echo "build-kernel.sh: $line did not stick" >&2; exit 1; } ;; esac
done < "$here/kernel.config"
make "${make_args[@]}" Image >/dev/null
# gen_init_cpio packs the initramfs; it is a host tool, built directly.
cc -O2 -o "$src/usr/gen_init_cpio" "$src/usr/gen_init_cpio.c"

cp "$src/arch/riscv/boot/Image" "$out/Image"
cp "$src/usr/gen_init_cpio" "$out/gen_init_cpio"
rm -rf "$work"
rm -f "$out"/*.done && touch "$out/$key.done"
echo "build-kernel.sh: $out/Image ready" >&2
