/* SPDX-License-Identifier: Apache-2.0 */
/* The whole public interface of libvouch. */
#ifndef VOUCH_VOUCH_H
#define VOUCH_VOUCH_H

#include "error.h"
#include "base64.h"
#include "hex.h"
#include "grow.h"
#include "paths.h"
#include "digest.h"
#include "signer.h"
#include "minisign.h"
#include "file.h"
#include "manifest.h"
#include "scan.h"
#include "policy.h"
#include "decide.h"
#include "bundle.h"
#include "compile.h"
#include "store.h"
#include "install.h"
#include "journal.h"
#include "apply.h"
#include "upstate.h"
#include "tlog.h"
#include "note.h"
#include "proof.h"
#include "json.h"
#include "entry.h"
#include "log.h"
#include "dpkg.h"
#include "tiles.h"
#include "ctl.h"
#include "deb.h"
#include "debfile.h"
#include "apt.h"

#endif
