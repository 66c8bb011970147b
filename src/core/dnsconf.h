/* dnsconf.h - reading dnsmasq config text line by line the way dnsmasq
 * 2.90 reads it (option.c read_file): quotes, escapes, hidden separators,
 * '#' comments, "name = value". The one reader of dnsmasq syntax: import,
 * conf-dir discovery and the conflict check use it. Pure: text in, lines
 * out, no allocation. */
#ifndef DNSDROP_DNSCONF_H
#define DNSDROP_DNSCONF_H

#include <stddef.h>

#define DNSCONF_LINE_MAX 1024	/* dnsmasq's fgets reads a longer line in pieces */

enum dnsconf_err {
	DNSCONF_OK,
	DNSCONF_QUOTE,		/* a quote is not closed: dnsmasq refuses the line */
	DNSCONF_NUL,		/* a NUL byte: the line is read up to it */
	DNSCONF_LONG,		/* longer than DNSCONF_LINE_MAX (whole-line mode) */
};

/* A reader over one file's TEXT; set FILE, TEXT, LEN and PIECES, zero the rest. */
struct dnsconf {
	const char *file;	/* for messages: FILE:LINE */
	const char *text;
	size_t len, pos;
	int pieces;		/* 1: a long line is several lines, as dnsmasq reads
				 * it; 0: one line with DNSCONF_LONG */
	/* the current line */
	int line;		/* 1-based */
	const char *raw;	/* as written, without its '\n' */
	size_t rawlen;
	char *name;		/* option name; NULL: blank, comment or an error */
	char *arg;		/* after '=', blanks trimmed; NULL: no '=' */
	enum dnsconf_err err;
	char buf[DNSCONF_LINE_MAX + 2];
};

/* Read the next line into R: 1, or 0 at the end of the text. Quoted
 * separators stay hidden in NAME and ARG (see dnsconf_unhide). */
int dnsconf_next(struct dnsconf *r);

/* Undo the hiding of quoted characters in S, in place. */
void dnsconf_unhide(char *s);

/* ARG cut at its commas into F[0..MAX), blanks around each comma dropped
 * (dnsmasq's split()); the last field keeps any further commas. Returns the
 * number of fields (at least 1). */
size_t dnsconf_fields(char *arg, char **f, size_t max);

#endif
