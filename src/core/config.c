/* config.c - loading: INI bytes -> entries with their line numbers.
 *
 * inih does the INI parsing, driven through ini_parse_stream() by our own
 * reader. The reader sees every line before inih does, which gives each
 * entry its line number (Debian's inih has no line numbers in the handler)
 * and lets us refuse what inih would otherwise change silently: over-long
 * lines (cut), indented lines (continuations), stray bytes. A refused line
 * is reported and handed to inih as an empty line, so parsing goes on and
 * every problem in the file is reported, not just the first. */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "ini.h"
#include "suggest.h"
#include "validate.h"

struct loader {
	const char *p, *end;	/* text not yet handed to inih */
	const char *path;
	int line;		/* number of the line inih is working on */
	enum section sec;
	int sec_unknown;	/* inside an unknown section: its keys are dropped */
	config_fn *fn;		/* called with each entry */
	void *ctx;
	struct problems *pr;
	int oom;
};

/* In the order of enum section, after SEC_NONE. */
static const char *const section_names[] = { "dnsdrop", "hosts", "srv", "cname", "mra", NULL };

/* Debian's libinih exposes its build options as run-time variables (upstream
 * has them as compile-time macros). Set every one we depend on, so a change
 * of the library's defaults cannot change how an INI is read. */
static void inih_configure(void)
{
	ini_use_stack = 0;
	ini_max_line = CONFIG_MAX_LINE + 3;	/* line, "\r\n", NUL */
	ini_initial_alloc = CONFIG_MAX_LINE + 3;
	ini_allow_realloc = 0;
	ini_allow_multiline = 0;	/* indented lines are refused by the reader */
	ini_allow_bom = 0;		/* the loader strips a leading BOM itself */
	ini_allow_inline_comments = 0;	/* loader_read cuts them */
	ini_inline_comment_prefixes = ";";
	ini_start_comment_prefixes = ";#";
	ini_stop_on_first_error = 0;
	ini_allow_no_value = 0;
}

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if invalid:
 * overlong forms, surrogates and stray bytes are not text. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (!len || s[0] > 0xf4 || len > n)
		return 0;
	cp = s[0] & (0x7fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	return cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : len;
}

/* Control bytes, bad UTF-8 and a BOM past the start: 0 if the line is clean. */
static int check_bytes(struct loader *ld, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len;
		if (u[i] - 0x20u < 0x5fu || u[i] == '\t') {
			i++;	/* the usual byte: printable ASCII */
			continue;
		}
		len = utf8_len(u + i, n - i);
		if (len == 0) {
			problems_add(ld->pr, ld->path, ld->line, SEV_ERROR,
				     "invalid UTF-8 (byte 0x%02x at column %zu); save the file as UTF-8 or plain ASCII",
				     u[i], i + 1);
			return -1;
		}
		if (len == 3 && u[i] == 0xef && u[i + 1] == 0xbb && u[i + 2] == 0xbf) {
			problems_add(ld->pr, ld->path, ld->line, SEV_ERROR,
				     "byte order mark (U+FEFF) inside the file at column %zu; remove it (a BOM is only allowed at the very start)",
				     i + 1);
			return -1;
		}
		if (len == 1) {	/* ASCII, not printable nor a tab */
			problems_add(ld->pr, ld->path, ld->line, SEV_ERROR,
				     "control character \\x%02x at column %zu; remove it (only printable text, blanks and tabs are allowed)",
				     u[i], i + 1);
			return -1;
		}
		i += len;
	}
	return 0;
}

/* The section NAME (N bytes); an unknown one is reported and its keys are
 * dropped (ld->sec_unknown stays set). */
static void section_enter(struct loader *ld, const char *name, size_t n)
{
	char word[65], q[VALIDATE_QUOTE_MAX];
	const char *hint = NULL;

	memcpy(word, name, n < 64 ? n : 64);
	word[n < 64 ? n : 64] = '\0';
	if (n < 64) {
		for (int i = 0; section_names[i]; i++)
			if (strcasecmp(word, section_names[i]) == 0) {
				ld->sec = (enum section)(i + 1);
				ld->sec_unknown = 0;
				return;
			}
		hint = suggest_word(word, section_names);
	}
	/* The name is shown quoted: it may hold any byte, a terminal control too. */
	problems_add(ld->pr, ld->path, ld->line, SEV_ERROR, "unknown section %s; %s%s%s",
		     validate_quote(word, q),
		     hint ? "did you mean [" : "the sections are [dnsdrop], [hosts], [srv], [cname] and [mra]",
		     hint ? hint : "", hint ? "]?" : "");
}

/* "[name]" with optional blanks and an inline comment after it: NULL, or
 * what is wrong with it. */
static const char *check_section(struct loader *ld, const char *s, size_t n)
{
	const char *close = memchr(s, ']', n), *p, *name = s + 1;
	size_t len;

	/* Keys under a broken header belong to no known section: drop them
	 * rather than report each against the previous section. */
	ld->sec_unknown = 1;
	if (!close)
		return "section header without ']'; write it as [hosts], [srv], [cname] or [dnsdrop]";
	for (p = close + 1; p < s + n && is_blank(*p); p++)
		;
	if (p < s + n && *p != ';')
		return "text after the section header; put it on a line of its own or after ' ;' as a comment";
	while (name < close && is_blank(*name))
		name++;
	for (len = (size_t)(close - name); len && is_blank(name[len - 1]); len--)
		;
	section_enter(ld, name, len);
	return NULL;
}

/* "key = value": NULL, or what is wrong with it. inih also splits on ':',
 * which would cut "host:port". */
static const char *check_key_line(const char *s, size_t n)
{
	const char *end = s + n, *eq = s;

	while (eq < end && *eq != '=' && *eq != ':')	/* one pass for both */
		eq++;
	if (eq == end || (*eq == ':' && !memchr(eq, '=', (size_t)(end - eq))))
		return "expected 'name = value', a [section] or a comment starting with ';'";
	if (*eq == ':')
		return "':' before '='; write 'name = value' (a ':' belongs only in the value, as in 'target:port')";
	if (eq == s)
		return "missing name before '='; write 'name = value'";
	return NULL;
}

/* Judge one raw line (without its newline); 0 when inih may have it. */
static int check_line(struct loader *ld, const char *s, size_t n)
{
	const char *bad;
	size_t lead = 0;

	if (n > CONFIG_MAX_LINE) {
		problems_add(ld->pr, ld->path, ld->line, SEV_ERROR,
			     "line is %zu bytes long, the limit is %u; nothing valid is that long, check for a missing line break",
			     n, CONFIG_MAX_LINE);
		return -1;
	}
	if (check_bytes(ld, s, n) < 0)
		return -1;
	while (lead < n && is_blank(s[lead]))
		lead++;
	if (lead == n || s[lead] == ';' || s[lead] == '#')
		return 0;
	if (lead > 0)
		bad = "indented line: dnsdrop has no continuation lines; remove the leading blanks and give every value its own 'name = value' line";
	else
		bad = s[0] == '[' ? check_section(ld, s, n) : check_key_line(s, n);
	if (bad)
		problems_add(ld->pr, ld->path, ld->line, SEV_ERROR, "%s", bad);
	return bad ? -1 : 0;
}

/* The fgets-style reader inih calls: one whole line at a time. */
static char *loader_read(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	const char *nl;
	size_t n;

	if (ld->p >= ld->end)
		return NULL;
	nl = memchr(ld->p, '\n', (size_t)(ld->end - ld->p));
	n = nl ? (size_t)(nl - ld->p) : (size_t)(ld->end - ld->p);
	ld->line++;
	str[0] = '\0';
	/* CRLF files are read as if they had LF ends. */
	if (check_line(ld, ld->p, n && ld->p[n - 1] == '\r' ? n - 1 : n) == 0 &&
	    n + 1 < (size_t)num) {
		memcpy(str, ld->p, n);
		str[n] = '\0';
		/* An inline comment, by inih's rule: a ';' after a blank. Cut
		 * here, it costs one memchr; inih's own search for it (a strchr
		 * per byte) was a sixth of reading 100k records. */
		for (char *c = str; (c = memchr(c, ';', n - (size_t)(c - str))); c++)
			if (c > str && is_blank(c[-1])) {
				*c = '\0';
				break;
			}
	}
	ld->p += nl ? n + 1 : n;
	return str;
}

static int loader_handle(void *user, const char *section, const char *name, const char *value)
{
	struct loader *ld = user;
	struct ini_entry e = { ld->sec, ld->line, name, value };

	(void)section;	/* the reader already mapped it to ld->sec */
	if (!ld->sec_unknown && !ld->oom && ld->fn(ld->ctx, &e) < 0)
		ld->oom = 1;
	return !ld->oom;
}

/* Line number (1-based) of offset OFF in TEXT. */
static int line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

int config_parse(const char *text, size_t len, const char *path, config_fn *fn, void *ctx,
		 struct problems *pr)
{
	struct loader ld = { text, text + len, path, 0, SEC_NONE, 0, fn, ctx, pr, 0 };
	const char *nul = memchr(text, '\0', len);
	int rc;

	if (len > CONFIG_MAX_BYTES) {
		problems_add(pr, path, 0, SEV_ERROR,
			     "file is %zu bytes, the limit is %u; is this the right file?",
			     len, CONFIG_MAX_BYTES);
		return 0;
	}
	if (nul) {
		problems_add(pr, path, line_of(text, (size_t)(nul - text)), SEV_ERROR,
			     "NUL byte: this is not a text file; save the INI as plain text");
		return 0;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		ld.p += 3;
	inih_configure();
	rc = ini_parse_stream(loader_read, &ld, loader_handle, &ld);
	return ld.oom || rc == -2 ? -1 : 0;
}
