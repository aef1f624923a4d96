#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian 12 image the VM test boots (tests/integration/vm.sh), built without loop
# devices: mmdebstrap installs bookworm into a directory, mkfs.ext4 -d copies that
# directory into a raw ext4 image, and the kernel and initrd are copied out beside it so
# that QEMU boots them directly (-kernel/-initrd, root=/dev/vda: no bootloader to install
# or to wait for, and nothing in the image to keep in step with the kernel).
#
# Usage: tests/vm/build-image.sh --key            print the cache key and exit
#        tests/vm/build-image.sh OUTDIR [MIRROR]  build OUTDIR/{root.img,vmlinuz,initrd.img}
#
# The key is the SHA-256 of this script and its package list: vm.sh keeps one image per
# key in its cache directory, so changing anything here builds a new image.
# The image has no network services and no network: apt in the guest reads a file:
# repository the test makes (its own sources.list is removed here). What it holds:
#  - systemd as init, udev, a kernel (linux-image-amd64) with an initrd of the few modules
#    a QEMU virtio machine needs;
#  - what the test checks still works under enforcement: login (and agetty), apt, cron,
#    gcc with libc6-dev, procps, util-linux (runuser, script, mount), e2fsprogs;
#  - vouch's run-time libraries (libssl3, libsodium23, liblmdb0): the guest has no network,
#    so a package that depends on them installs only if they are already there;
#  - /tmp on a tmpfs (systemd's tmp.mount) and /home on a disk of its own (LABEL=vmhome,
#    made per run by vm.sh), so that "every local filesystem" means several;
#  - vouch-vm.service, which at boot (after multi-user.target) copies the test's payload
#    from the disk labelled vmpayload into /root/vm once, and runs /root/vm/guest-test.sh
#    with bash (a script read by bash is not gated, so the driver is never refused itself).
# Every wait is bounded: mmdebstrap by timeout, and nothing here asks a question.
set -euo pipefail
export LC_ALL=C
suite=bookworm
pkgs=(systemd-sysv udev linux-image-amd64 initramfs-tools kmod login apt cron gcc libc6-dev
	procps util-linux bsdutils e2fsprogs libssl3 libsodium23 liblmdb0)
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

key() { { cat "$self"; printf '%s\n' "$suite" "${pkgs[@]}"; } | sha256sum | cut -c1-16; }
die() { echo "build-image.sh: $*" >&2; exit 1; }

if [ "${1-}" = --key ]; then key; exit 0; fi
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: build-image.sh --key | OUTDIR [MIRROR]" >&2; exit 2; }
out=$1 mirror=${2:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap's root mode, files owned by root)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 is not installed"
mkdir -p "$out"
tree=$out/tree
rm -rf "$tree" "$out/root.img.new"
trap 'rm -rf "$tree" "$out/root.img.new"' EXIT

# The first boot's unit and the script it runs (bash reads it: not gated).
boot_sh='#!/bin/bash
# vouch VM test: copy the payload in once, then run the guest driver (tests/vm/guest-test.sh).
set -u
if [ ! -f /root/vm/guest-test.sh ]; then
	mkdir -p /run/vm-payload /root/vm
	for _ in $(seq 30); do [ -e /dev/disk/by-label/vmpayload ] && break; sleep 1; done
	mount -o ro LABEL=vmpayload /run/vm-payload || { echo "vouch-vm: no payload disk" >/dev/ttyS1; exit 1; }
	cp -a /run/vm-payload/. /root/vm/
	umount /run/vm-payload
fi
exec /bin/bash /root/vm/guest-test.sh
'
unit='[Unit]
Description=vouch VM test driver
After=multi-user.target
[Service]
Type=simple
ExecStart=/bin/bash /usr/local/lib/vouch-vm/boot.sh
StandardOutput=journal+console
StandardError=journal+console
[Install]
WantedBy=multi-user.target
'
# Runs in mmdebstrap's customize phase; $1 is the tree.
customize='set -e
r=$1
printf "vouch-vm\n" >"$r/etc/hostname"
printf "127.0.0.1 localhost vouch-vm\n" >"$r/etc/hosts"
printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\nLABEL=vmhome /home ext4 defaults,nofail,x-systemd.device-timeout=60s 0 2\n" >"$r/etc/fstab"
rm -f "$r/etc/apt/sources.list"
cp "$r/usr/share/systemd/tmp.mount" "$r/etc/systemd/system/tmp.mount"
mkdir -p "$r/etc/systemd/system/local-fs.target.wants" "$r/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/tmp.mount "$r/etc/systemd/system/local-fs.target.wants/tmp.mount"
mkdir -p "$r/usr/local/lib/vouch-vm"
printf "%s" "$VM_BOOT_SH" >"$r/usr/local/lib/vouch-vm/boot.sh"
printf "%s" "$VM_UNIT" >"$r/etc/systemd/system/vouch-vm.service"
ln -sf /etc/systemd/system/vouch-vm.service "$r/etc/systemd/system/multi-user.target.wants/vouch-vm.service"
# Timers that would start work at random while the test measures.
for t in apt-daily apt-daily-upgrade e2scrub_all fstrim dpkg-db-backup; do
	ln -sf /dev/null "$r/etc/systemd/system/$t.timer"
done
# The initrd of a QEMU virtio machine: the modules to find and mount /dev/vda, no more.
printf "MODULES=list\n" >"$r/etc/initramfs-tools/conf.d/vouch-vm.conf"
printf "virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n" >>"$r/etc/initramfs-tools/modules"
chroot "$r" update-initramfs -u -k all >/dev/null
chroot "$r" apt-get clean
'
export VM_BOOT_SH=$boot_sh VM_UNIT=$unit
inc=$(IFS=,; echo "${pkgs[*]}")
timeout -s KILL 1800 unshare -m --propagation private \
	mmdebstrap --variant=minbase --include="$inc" --customize-hook="$customize" \
	"$suite" "$tree" "$mirror" >"$out/mmdebstrap.log" 2>&1 ||
	{ tail -n 20 "$out/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $out/mmdebstrap.log)"; }
kernel=$(ls "$tree"/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
initrd=$(ls "$tree"/boot/initrd.img-* 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] && [ -n "$initrd" ] || die "no kernel or initrd in the tree"
cp "$kernel" "$out/vmlinuz"
cp "$initrd" "$out/initrd.img"
chroot "$tree" dpkg-query -W >"$out/packages.txt"
# 3 GiB, sparse: the test's writes go to a per-run qcow2 overlay, never into this file.
mkfs.ext4 -q -F -L vmroot -E root_owner=0:0 -d "$tree" "$out/root.img.new" 3G ||
	die "mkfs.ext4 -d failed"
mv "$out/root.img.new" "$out/root.img"
key >"$out/key"
echo "built $out/root.img ($(du -sh --apparent-size "$out/root.img" | cut -f1) sparse, $(du -sh "$out/root.img" | cut -f1) used)"
