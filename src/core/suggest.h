/* suggest.h - "did you mean": the closest known word to a misspelt one. */
#ifndef DNSDROP_SUGGEST_H
#define DNSDROP_SUGGEST_H

/* The entry of CHOICES (NULL-terminated) closest to WORD, ignoring case,
 * when it is within 2 edits; NULL when nothing is that close. Pure. */
const char *suggest_word(const char *word, const char *const *choices);

#endif
