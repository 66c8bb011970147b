/* ascii.h - the byte classes that the INI reader, the validators and the
 * restart line share. */
#ifndef DNSDROP_ASCII_H
#define DNSDROP_ASCII_H

/* A blank: space or tab (what separates words on a line). */
static inline int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

#endif
