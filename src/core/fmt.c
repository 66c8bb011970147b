/* fmt.c - printf formatting without libc's stdio (fmt.h). */
#include "fmt.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

struct out {
	char *p;
	size_t cap, len;	/* CAP: room for text, the NUL not counted */
};

struct spec {
	int left, zero, width, prec;	/* -1: no width or precision */
	char len;			/* H: hh, L: ll, else as written */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap)
		memcpy(o->p + o->len, s, n < o->cap - o->len ? n : o->cap - o->len);
	o->len += n;
}

static void pad(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, &c, 1);
}

/* TEXT (N bytes) in a field of the spec's width */
static void field(struct out *o, const struct spec *s, const char *text, size_t n)
{
	size_t fill = s->width > 0 && (size_t)s->width > n ? (size_t)s->width - n : 0;

	if (!s->left)
		pad(o, ' ', fill);
	put(o, text, n);
	if (s->left)
		pad(o, ' ', fill);
}

static void number(struct out *o, const struct spec *s, unsigned long long v, int neg,
		   unsigned base, const char *digits)
{
	char d[32];
	size_t n = 0, zeros, fill;

	if (v || s->prec != 0)	/* "%.0d" of 0 is no digit at all */
		do
			d[sizeof d - ++n] = digits[v % base];
		while ((v /= base));
	zeros = s->prec > 0 && (size_t)s->prec > n ? (size_t)s->prec - n : 0;
	fill = s->width > 0 && (size_t)s->width > neg + zeros + n ?
	       (size_t)s->width - (neg + zeros + n) : 0;
	if (s->zero && !s->left && s->prec < 0)
		zeros += fill, fill = 0;
	if (!s->left)
		pad(o, ' ', fill);
	put(o, "-", (size_t)neg);
	pad(o, '0', zeros);
	put(o, d + sizeof d - n, n);
	if (s->left)
		pad(o, ' ', fill);
}

/* The argument of each length as its own type: on LP64 several are the
 * same type and read alike (clang-tidy calls them clones); elsewhere not. */
// NOLINTBEGIN(bugprone-branch-clone)
static unsigned long long arg_unsigned(va_list *ap, char len)
{
	switch (len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, uintmax_t);
	case 't': return (unsigned long long)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

static long long arg_signed(va_list *ap, char len)
{
	switch (len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}
// NOLINTEND(bugprone-branch-clone)

/* A width or precision: digits, or '*' from the arguments. */
static const char *count(const char *f, int *to, va_list *ap)
{
	if (*f == '*') {
		*to = va_arg(*ap, int);
		return f + 1;
	}
	for (*to = 0; *f >= '0' && *f <= '9'; f++)
		*to = *to < INT_MAX / 10 ? *to * 10 + (*f - '0') : INT_MAX;
	return f;
}

/* The conversion at PCT (its '%'); returns what follows it. */
static const char *convert(struct out *o, const char *pct, va_list *ap)
{
	struct spec s = { 0, 0, -1, -1, 0 };
	const char *f = pct + 1, *str;
	long long v;
	char c;

	for (; *f == '-' || *f == '0'; f++)
		*(*f == '-' ? &s.left : &s.zero) = 1;
	f = count(f, &s.width, ap);
	if (s.width < 0)	/* a negative '*' width is the '-' flag */
		s.left = 1, s.width = s.width == INT_MIN ? INT_MAX : -s.width;
	if (*f == '.')
		f = count(f + 1, &s.prec, ap);
	if (s.prec < 0)	/* a negative '*' precision is none */
		s.prec = -1;
	if (*f && strchr("hlzjt", *f))
		s.len = *f++;
	if ((s.len == 'h' || s.len == 'l') && *f == s.len)
		s.len = *f++ == 'h' ? 'H' : 'L';
	switch ((c = *f)) {
	case 'd': case 'i':
		v = arg_signed(ap, s.len);
		number(o, &s, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0,
		       10, "0123456789");
		break;
	case 'u': number(o, &s, arg_unsigned(ap, s.len), 0, 10, "0123456789"); break;
	case 'o': number(o, &s, arg_unsigned(ap, s.len), 0, 8, "01234567"); break;
	case 'x': number(o, &s, arg_unsigned(ap, s.len), 0, 16, "0123456789abcdef"); break;
	case 'X': number(o, &s, arg_unsigned(ap, s.len), 0, 16, "0123456789ABCDEF"); break;
	case 'c':
		c = (char)va_arg(*ap, int);
		field(o, &s, &c, 1);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		str = str ? str : "(null)";
		field(o, &s, str, s.prec >= 0 ? strnlen(str, (size_t)s.prec) : strlen(str));
		break;
	case '%': put(o, "%", 1); break;
	default:	/* unknown, or the format ends: copy it as written */
		put(o, pct, (size_t)(f - pct) + (c != 0));
		return c ? f + 1 : f;
	}
	return f + 1;
}

int fmt_v(char *dst, size_t cap, const char *fmt, va_list ap)
{
	struct out o = { dst, cap ? cap - 1 : 0, 0 };
	va_list aq;
	size_t n;

	va_copy(aq, ap);
	while (*fmt) {
		n = strcspn(fmt, "%");
		put(&o, fmt, n);
		fmt += n;
		if (*fmt)
			fmt = convert(&o, fmt, &aq);
	}
	va_end(aq);
	if (cap)
		dst[o.len < o.cap ? o.len : o.cap] = '\0';
	return o.len > INT_MAX ? -1 : (int)o.len;
}
