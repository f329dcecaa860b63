#!/usr/bin/env bash
# Runs internal/kernels' tests on an emulated CPU with AVX-512 VNNI, which
# this machine class (Zen 3: AVX2, no AVX-512) lacks, so that the VNNI
# kernels are tested, and the whole package with them selected.
#
# Debian's Bochs 2.7 emulates an Ice Lake and boots Debian's Linux kernel
# from a FAT image (syslinux), with an initramfs that holds the package's
# test binary, its test data and a PID 1 (scripts/avx512/init) that runs
# the tests and reports on the serial console, which this script reads.
# QEMU 7.2, the other emulator Debian has, does not emulate AVX-512.
#
#   bash scripts/avx512/run.sh [test binary flags]
#
# The default flags run the VNNI and ZMM kernels' own tests (against the
# AVX2 ones and the generic code), and two MatMul tests that go through the selected
# (VNNI) kernel set: llama.cpp's goldens, and batches against single rows.
# The whole package would take hours: the emulator runs these tests some
# 4000 times slower than this CPU (TestGoldenMatMul: 0.02 s here, 90 s
# there).
#
# Installs its Debian packages with apt-get (as root, as in CI). The
# emulator runs at a few tens of millions of instructions a second: the
# kernel boots in about 3 minutes and the tests take about as long.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${PLUME_AVX512_WORK:-${TMPDIR:-/tmp}/plume-avx512}
# TIMEOUT is how long the emulated machine may run, in seconds: boot and
# the default tests take ~6 minutes here, so 25 means it hung.
TIMEOUT=${PLUME_AVX512_TIMEOUT:-1500}
ARGS=${*:--test.v -test.run ^(TestVNNI.*|TestZMM.*|TestGoldenMatMul|TestMatMulBatchEqualsSingle)$}
mkdir -p "$WORK"
cd "$WORK"

# The emulator and its BIOS; syslinux, mtools and dosfstools make a bootable
# FAT image without mounting it; cpio packs the initramfs.
PKGS="bochs bochsbios syslinux syslinux-common mtools dosfstools cpio"
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
# - clearcpuid=xsaves,xsavec: Bochs 2.7 gives the standard XSAVE size for
#   the compacted format (CPUID 0xD.1 EBX); the kernel sees the mismatch
#   and turns XSAVE off, and with it AVX and AVX-512. Without XSAVES and
#   XSAVEC it uses the standard format, which Bochs gets right.
# - clearcpuid=pku,fsrm,erms,la57: with them the Ice Lake model's boot
#   loops in a page fault on its first fork.
# - idle=poll: no MWAIT in the idle loop.
cat >syslinux.cfg <<EOF
DEFAULT plume
PROMPT 0
TIMEOUT 0
LABEL plume
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=ttyS0,115200 quiet panic=-1 idle=poll clearcpuid=xsaves,xsavec,pku,fsrm,erms,la57 -- $ARGS
EOF
# 65 cylinders × 16 heads × 63 sectors, the geometry given to Bochs.
rm -f disk.img disk.img.lock
truncate -s $((65 * 16 * 63 * 512)) disk.img
mkfs.vfat -n PLUME disk.img >/dev/null
syslinux --install disk.img
mcopy -i disk.img vmlinuz initrd.gz syslinux.cfg ::

cat >bochsrc <<EOF
megs: 1024
cpu: model=corei7_icelake_u, count=1, ips=400000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
display_library: rfb, options="timeout=0"
ata0-master: type=disk, path=disk.img, mode=flat, cylinders=65, heads=16, spt=63
boot: disk
com1: enabled=1, mode=file, dev=serial.out
log: bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
clock: sync=none, time0=local
EOF
# Debian builds Bochs with its debugger, which stops before the first
# instruction: "c" continues.
echo c >debugger.rc
rm -f serial.out
echo "avx512: booting an emulated Ice Lake (Bochs); tests: $ARGS"
bochs -q -f bochsrc -rc debugger.rc </dev/null >bochs.out 2>&1 &
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
grep -aq "avx512vnni=true" serial.out || {
	echo "avx512: the emulated CPU did not show AVX-512 VNNI to Go" >&2
	exit 1
}
code=$(grep -ao "PLUME-AVX512-DONE exit=[0-9]*" serial.out | tail -1 | cut -d= -f2)
exit "$code"
