/* SPDX-License-Identifier: Apache-2.0 */
/* The program in the VM test's local apt repository (tests/integration/vm.sh packs it with
 * dpkg-deb): what apt-get installs in the guest, refused unless something vouches for it. */
#include <stdio.h>

int main(void)
{
	puts("vouch-vm-hello: installed by apt-get, and allowed to run");
	return 0;
}
