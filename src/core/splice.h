/* splice.h - an earlier INI's records with today's [dnsdrop] settings, for
 * rollback: bringing back old records must not bring back an old restart
 * command, verify server or conf_dir the administrator has since fixed. */
#ifndef DNSDROP_SPLICE_H
#define DNSDROP_SPLICE_H

#include <stddef.h>

#include "buf.h"

/* OUT = OLD with its [dnsdrop] section(s) left out and CUR's [dnsdrop]
 * section (header to the next section header, comments included) put
 * where OLD's first one stood, or at the end when OLD had none. CUR
 * without [dnsdrop]: none in OUT either (the defaults, as today).
 * OUT->oom on allocation failure. */
void splice_settings(const char *old, size_t old_len, const char *cur, size_t cur_len,
		     struct buf *out);

#endif
