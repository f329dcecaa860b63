#!/usr/bin/env bash
# Runs internal/kernels' tests on an emulated Sapphire Rapids (AVX-512,
# VNNI and AMX), for the kernel sets this machine's CPU lacks: the AVX-512
# VNNI and ZMM kernels on CPUs without them (Zen 3), the AMX tile on every
# CPU without AMX (Zen 3 to 5, Ice Lake).
#
# The emulator is Bochs 3.0, the first to emulate AMX, built here from
# Debian's source tarball (pinned by its sha256; ~2 minutes on 2 cores)
# with the fixes in bochs-amx.patch (XFD, which Linux needs to give a
# process AMX, and four errors in the AMX instructions and their XSAVE):
# Debian 12 packages Bochs 2.7, which has no AMX, and QEMU 7.2, the other
# emulator Debian has, emulates neither AVX-512 nor AMX. It boots Debian's
# Linux kernel from a FAT image (syslinux), with an initramfs that holds
# the package's test binary, its test data and a PID 1 (scripts/avx512/init)
# that runs the tests and reports on the serial console, which this script
# reads.
#
#   bash scripts/avx512/run.sh [test binary flags]
#
# The default flags run the VNNI, ZMM and AMX kernels' own tests (against
# the AVX2 ones and the generic code), and the MatMul tests that go
# through the selected (AMX) kernel set: llama.cpp's goldens, and batches
# against single rows. The whole package would take hours: the emulator
# runs these tests some 4000 times slower than this CPU.
#
# Installs its Debian packages with apt-get (as root, as in CI). The
# emulator runs at a few tens of millions of instructions a second: the
# kernel boots in about a minute and the tests take a few more.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${PLUME_AVX512_WORK:-${TMPDIR:-/tmp}/plume-avx512}
# TIMEOUT is how long the emulated machine may run, in seconds: boot and
# the default tests take ~6 minutes here, so 25 means it hung.
TIMEOUT=${PLUME_AVX512_TIMEOUT:-1500}
ARGS=${*:--test.v -test.run ^(TestVNNI.*|TestZMM.*|TestAsmQ6KCols4MatchesOneRow|TestAMX.*|TestTile16.*|TestMatMulTile16|TestMatMulTile16K|TestMatMulTile16Q40|TestGoldenMatMul|TestMatMulBatchEqualsSingle|TestQuadMatchesDot|TestMatMulInterleaved)$}
mkdir -p "$WORK"
cd "$WORK"

# The emulator's BIOS; its build tools; syslinux, mtools and dosfstools
# make a bootable FAT image without mounting it; cpio packs the initramfs.
PKGS="bochsbios vgabios g++ make patch xz-utils curl syslinux syslinux-common mtools dosfstools cpio"
missing=""
for p in $PKGS; do
	# (a removed package keeps a "deinstall ... config-files" status)
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "avx512: installing$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# Bochs 3.0 from Debian's source tarball with bochs-amx.patch, built once
# into $WORK/bochs-3.0 (rebuilt when the patch changes): x86-64 with AVX,
# EVEX (AVX-512) and AMX, no GUI, no debugger (Debian's build stops before
# the first instruction), no sound or USB.
BOCHS_TAR=bochs_3.0+dfsg.orig.tar.xz
BOCHS_SHA256=78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b
BOCHS=$WORK/bochs-3.0/bochs
PATCH="$ROOT/scripts/avx512/bochs-amx.patch"
if [ ! -x "$BOCHS" ] || ! cmp -s "$PATCH" "$WORK/bochs-3.0/bochs-amx.patch"; then
	echo "avx512: building Bochs 3.0"
	rm -rf bochs-3.0 "$BOCHS_TAR"
	curl -fsS -o "$BOCHS_TAR" "http://deb.debian.org/debian/pool/main/b/bochs/$BOCHS_TAR"
	echo "$BOCHS_SHA256  $BOCHS_TAR" | sha256sum -c --quiet
	tar -xf "$BOCHS_TAR"
	patch -s -p1 -d bochs-3.0 <"$PATCH"
	cp "$PATCH" bochs-3.0/bochs-amx.patch
	(cd bochs-3.0 && ./configure -q --enable-x86-64 --enable-avx --enable-evex --enable-amx \
		--enable-all-optimizations --enable-pci --with-nogui --disable-debugger --disable-docbook \
		--disable-sound --disable-usb >configure.log 2>&1 &&
		make -j"$(nproc)" >make.log 2>&1) || {
		echo "avx512: building Bochs failed; the end of its log:" >&2
		tail -20 bochs-3.0/configure.log bochs-3.0/make.log >&2 2>/dev/null
		exit 1
	}
	rm -f "$BOCHS_TAR"
fi

# Debian's kernel, taken out of its package (not installed on this machine).
if [ ! -s vmlinuz ]; then
	rm -f linux-image-*.deb
	apt-get download -qq linux-image-amd64 2>/dev/null
	dep=$(dpkg-deb -f linux-image-amd64_*.deb Depends | awk '{print $1}')
	apt-get download -qq "$dep" 2>/dev/null
	dpkg-deb --fsys-tarfile "$dep"_*.deb | tar -x -O --wildcards './boot/vmlinuz-*' >vmlinuz.tmp
	mv vmlinuz.tmp vmlinuz
	rm -f linux-image-*.deb
fi

# The initramfs: PID 1, the test binary and the test data where the tests
# look for it (relative to the package directory).
rm -rf root && mkdir -p root/dev root/proc root/sys root/tmp root/w/internal/kernels root/w/internal/tensor/testdata
(cd "$ROOT" && CGO_ENABLED=0 go test -c -o "$WORK/root/kernels.test" ./internal/kernels)
(cd "$ROOT" && CGO_ENABLED=0 go build -o "$WORK/root/init" ./scripts/avx512/init)
cp -r "$ROOT/internal/kernels/testdata" root/w/internal/kernels/
cp -r "$ROOT/internal/tensor/testdata/llamacpp" root/w/internal/tensor/testdata/
mknod root/dev/console c 5 1
(cd root && find . | cpio -o -H newc --quiet | gzip -1) >initrd.gz

# Kernel options:
# - idle=poll: no MWAIT in the idle loop.
# - clearcpuid=fsrm,erms: with fast string operations the kernel hangs
#   early in its boot on the emulated CPU.
cat >syslinux.cfg <<EOF
DEFAULT plume
PROMPT 0
TIMEOUT 0
LABEL plume
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=ttyS0,115200 quiet panic=-1 idle=poll clearcpuid=fsrm,erms -- $ARGS
EOF
# 65 cylinders × 16 heads × 63 sectors, the geometry given to Bochs.
rm -f disk.img disk.img.lock
truncate -s $((65 * 16 * 63 * 512)) disk.img
mkfs.vfat -n PLUME disk.img >/dev/null
syslinux --install disk.img
mcopy -i disk.img vmlinuz initrd.gz syslinux.cfg ::

# The VGA BIOS: Debian's bochs package links VGABIOS-lgpl-latest to the
# vgabios package's vgabios.bin; without that package (it is not needed:
# the emulator is built here) the file is taken from vgabios itself.
VGABIOS=/usr/share/bochs/VGABIOS-lgpl-latest
[ -e "$VGABIOS" ] || VGABIOS=/usr/share/vgabios/vgabios.bin
# The CPU: Bochs's Sapphire Rapids without 5-level paging (la57), with
# which Debian's kernel halts before its first message.
cat >bochsrc <<EOF
megs: 1024
cpu: model=sapphire_rapids, count=1, ips=400000000, exclude_features="la57"
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=$VGABIOS
display_library: nogui
ata0-master: type=disk, path=disk.img, mode=flat, cylinders=65, heads=16, spt=63
boot: disk
com1: enabled=1, mode=file, dev=serial.out
log: bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
clock: sync=none, time0=local
EOF
rm -f serial.out disk.img.lock
echo "avx512: booting an emulated Sapphire Rapids (Bochs 3.0); tests: $ARGS"
"$BOCHS" -q -f bochsrc </dev/null >bochs.out 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
start=$SECONDS
until grep -aq "PLUME-AVX512-DONE" serial.out 2>/dev/null; do
	if ! kill -0 $pid 2>/dev/null; then
		echo "avx512: the emulator stopped early; its log:" >&2
		tail -20 bochs.out >&2
		exit 1
	fi
	if ((SECONDS - start > TIMEOUT)); then
		echo "avx512: no result after ${TIMEOUT}s; console so far:" >&2
		tail -c 3000 serial.out >&2
		exit 1
	fi
	sleep 5
done
kill -9 $pid 2>/dev/null || true
echo "avx512: done in $((SECONDS - start))s"
sed -n '/^PLUME-AVX512 cpu/,/PLUME-AVX512-DONE/p' serial.out | tr -d '\r'
for want in avx512vnni=true amxint8=true amxperm=true; do
	grep -aq "$want" serial.out || {
		echo "avx512: the emulated CPU did not show Go $want" >&2
		exit 1
	}
done
code=$(grep -ao "PLUME-AVX512-DONE exit=[0-9]*" serial.out | tail -1 | cut -d= -f2)
exit "$code"
