#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The systemd unit: systemd itself accepts it (every command it names must exist, which is
# how a fresh machine caught /bin/kill), it is Type=notify, restarts at once, and keeps only
# the capabilities vouchd needs. (vouchd's READY=1 is checked in daemon.sh.)
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
: "${VOUCH_BUILD:?VOUCH_BUILD must name the build directory}"
unit=$VOUCH_BUILD/vouchd.service
check "meson generated the unit" test -f "$unit"
check "its ExecStart is the installed vouchd, with the owner's options" \
	grep -qE '^ExecStart=/[^ ]*/sbin/vouchd --state /var/lib/vouch [$]VOUCHD_OPTS$' "$unit"
check "the owner's options come from /etc/default/vouchd, which may be absent" \
	grep -qx 'EnvironmentFile=-/etc/default/vouchd' "$unit"
# No policy is no reason not to start: vouchd then runs in monitor mode and says so.
check "it starts without a policy installed (no ConditionPathExists)" \
	bash -c "! grep -q '^Condition' '$unit'"
check "early: before sysinit.target, after the local filesystems and /var/lib/vouch's mount" \
	bash -c "grep -qx 'DefaultDependencies=no' '$unit' && grep -qx 'After=local-fs.target' '$unit' &&
		grep -qx 'RequiresMountsFor=/var/lib/vouch' '$unit' && grep -q '^Before=sysinit.target' '$unit'"
check "Type=notify" grep -qx 'Type=notify' "$unit"
check "reloaded by 'vouch reload' (an answer, not a signal)" grep -qE '^ExecReload=/[^ ]*/bin/vouch reload --state /var/lib/vouch$' "$unit"
check "restarted at once" bash -c "grep -qx 'Restart=always' '$unit' && grep -qx 'RestartSec=0' '$unit'"
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')
check "only the capabilities it needs ($caps)" \
	test "$caps" = "CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_LEASE CAP_SYS_ADMIN CAP_SYS_PTRACE "
check "no write access but its state (and fuse's parameter that lets it mark users' FUSE)" \
	test "$(sed -n 's/^ReadWritePaths=//p' "$unit" | LC_ALL=C sort | tr '\n' ' ')" = \
	"-/sys/module/fuse/parameters/allow_sys_admin_access /var/lib/vouch "
check "no network" grep -qx 'PrivateNetwork=yes' "$unit"
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart to exist: point it at the built binary.
	mkdir units
	sed -e "s|^ExecStart=[^ ]*|ExecStart=$VOUCH_BUILD/src/daemon/vouchd|" \
		-e "s|^ExecReload=[^ ]*|ExecReload=$VOUCH|" "$unit" >units/vouchd.service
	run systemd-analyze verify --man=no "$T/units/vouchd.service"
	check "systemd-analyze verify accepts it" test "$RC" -eq 0 -a ! -s "$ERR"
else
	echo "ok $((_n + 1)) - systemd-analyze verify # SKIP systemd-analyze is not installed"
	_n=$((_n + 1))
fi
done_testing
