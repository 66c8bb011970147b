/* confdir.c - walking dnsmasq's config the way dnsmasq 2.90 does (option.c:
 * one_file and the conf-dir case, each rule checked against the real
 * binary; lines read by dnsconf.c): to find the conf-dir, and to collect
 * the names the other files define. Reading /proc for the config a running
 * dnsmasq uses is in confdir_proc.c. */
#include "confdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dnsconf.h"
#include "fsx.h"
#include "render.h"
#include "sort.h"

#define MAX_BYTES (4u << 20)	/* a config bigger than this is not a config */
#define MAX_FILTERS 16
#define RELATIVE "a relative path, taken from / (dnsmasq's working directory at boot)"

struct filters {
	const char *match[MAX_FILTERS];	/* "*.conf": only these load (".conf") */
	const char *skip[MAX_FILTERS];	/* ".bak": these never load */
	size_t nmatch, nskip;
};

struct cand {
	char *dir, *filters, *how;
	struct stat st;
	int have_st;		/* symlinked duplicates merge by dev/ino */
};

struct walk {
	const char *root;
	struct problems *pr;
	const char *prfile;
	struct cand cand[CONFDIR_MAX_CANDS];
	size_t ncand;		/* may exceed CONFDIR_MAX_CANDS: counted only */
	struct { dev_t dev; ino_t ino; } seen[CONFDIR_MAX_FILES];
	size_t nseen;
	struct buf notes;
	int main_errno;		/* the main config could not be read */
	int star_skips;		/* dnsmasq 2.71-: "*.conf" is a suffix to skip */
	int oom;
	struct conflict_set *others;	/* confdir_others: every other option */
	struct stat own;	/* dnsdrop's conf-dir: its drop-ins are ours */
	int have_own, own_read;
};

static void walk_file(struct walk *w, const char *name, const char *named,
		      int depth);

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* Takes TEXT (from dupf): a warning when WARN, else a note for messages. */
static void tell(struct walk *w, int warn, char *text)
{
	if (!text)
		w->oom = 1;
	else if (warn)
		problems_add(w->pr, w->prfile, 0, SEV_WARNING, "%s", text);
	else
		buf_printf(&w->notes, "%s%s", w->notes.len ? "; " : "", text);
	free(text);
}

/* PATH under ROOT (NULL or "": none). dnsmasq reads a relative PATH from
 * its working directory; at boot and under service_run that is /, so that
 * is where we look: rooted(NULL, PATH) is PATH as dnsmasq takes it. */
static char *rooted(const char *root, const char *path)
{
	size_t n = root ? strlen(root) : 0;

	while (n > 0 && root[n - 1] == '/')
		n--;
	return dupf("%.*s%s%s", (int)n, n ? root : "", path[0] == '/' ? "" : "/", path);
}

/* The extension list F[0..N) of a conf-dir line; OUT gets it normalised.
 * Before 2.72 dnsmasq had no "*" filters: every item, "*.conf" too, is a
 * suffix to skip (STAR_SKIPS). */
static void parse_filters(char **list, size_t n, struct filters *f, struct buf *out,
			  int star_skips)
{
	buf_add(out, "", 0);
	for (size_t i = 0; i < n; i++) {
		dnsconf_unhide(list[i]);
		if (!star_skips && (!list[i][0] || (list[i][0] == '*' && !list[i][1])))
			continue;	/* dnsmasq 2.72+: no-ops */
		if (!star_skips && *list[i] == '*') {
			if (f->nmatch < MAX_FILTERS)
				f->match[f->nmatch++] = list[i] + 1;
		} else if (f->nskip < MAX_FILTERS) {
			f->skip[f->nskip++] = list[i];
		}
		buf_printf(out, "%s%s", out->len ? "," : "", list[i]);
	}
}

/* dnsmasq compares suffixes with len > ls: "x.conf" never matches itself. */
static int ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && !strcmp(name + n - s, suffix);
}

/* Would dnsmasq load a regular file NAME from this conf-dir? If not and
 * WHY is given, say which rule skips it. */
static int loads(const struct filters *f, const char *name, struct buf *why)
{
	size_t i, len = strlen(name);
	int ok = f->nmatch == 0;

	if (!len || name[0] == '.' || name[len - 1] == '~' ||
	    (name[0] == '#' && name[len - 1] == '#'))
		return 0;
	for (i = 0; i < f->nmatch && !ok; i++)
		ok = ends_with(name, f->match[i]);
	if (!ok && why) {
		buf_printf(why, "it loads only files ending in");
		for (i = 0; i < f->nmatch; i++)
			buf_printf(why, "%s %s", i ? "," : "", f->match[i]);
	}
	for (i = 0; i < f->nskip && ok; i++) {
		ok = !ends_with(name, f->skip[i]);
		if (!ok && why)
			buf_printf(why, "it skips files ending in %s", f->skip[i]);
	}
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of D as scandir gives them, sorted the way dnsmasq does:
 * alphasort, which is strcmp in the C locale dnsdrop runs in (it never sets
 * one). Returns how many, or -1 (errno) when it cannot be read. */
static int dir_names(DIR *d, char ***out)
{
	char **v = NULL, **nv;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int err = 0;

	while (!err && (errno = 0, e = readdir(d))) {
		if (n == cap && (nv = realloc(v, (cap ? cap * 2 : 16) * sizeof *v)))
			v = nv, cap = cap ? cap * 2 : 16;
		if (n == cap || n == INT_MAX || !(v[n] = strdup(e->d_name)))
			err = n == INT_MAX ? EOVERFLOW : ENOMEM;
		else
			n++;
	}
	if ((err = err ? err : errno)) {
		while (n)
			free(v[--n]);
		free(v);
		errno = err;
		return -1;
	}
	sort_array(v, n, sizeof *v, by_name);
	*out = v;
	return (int)n;
}

/* Read each file dnsmasq loads from DIR: regular files (links followed)
 * that pass the filters, in dnsmasq's order. */
static void walk_dir(struct walk *w, const char *dir, const struct filters *f,
		     const char *how, int depth)
{
	char *rdir = rooted(w->root, dir), *path, **ents = NULL;
	DIR *d = rdir ? opendir(rdir) : NULL;
	struct stat st;
	int n = d ? dir_names(d, &ents) : -1, own;

	own = n >= 0 && w->have_own && fstat(dirfd(d), &st) == 0 &&
	      st.st_dev == w->own.st_dev && st.st_ino == w->own.st_ino;
	w->own_read |= own;
	if (n < 0)
		tell(w, 1, rdir ? dupf("%s: cannot open %s: %s (dnsmasq would not "
				       "start)", how, dir, strerror(errno)) : NULL);
	for (int i = 0; i < n; i++) {
		/* dnsdrop's own drop-ins are not another file */
		if (!(own && (!strcmp(ents[i], RENDER_HOSTS) || !strcmp(ents[i], RENDER_SRV))) &&
		    loads(f, ents[i], NULL) && fstatat(dirfd(d), ents[i], &st, 0) == 0 &&
		    S_ISREG(st.st_mode)) {
			if ((path = dupf("%s/%s", dir, ents[i])))
				walk_file(w, path, NULL, depth + 1);
			w->oom |= !path;
			free(path);
		}
		free(ents[i]);
	}
	if (d)
		closedir(d);
	free(ents);
	free(rdir);
}

/* Keep C (its strings taken over) as a candidate unless it is one already. */
static void add_cand(struct walk *w, struct cand c)
{
	char *rdir = rooted(w->root, c.dir);
	struct cand *o;
	size_t i, named = w->ncand < CONFDIR_MAX_CANDS ? w->ncand : CONFDIR_MAX_CANDS;

	c.have_st = rdir && stat(rdir, &c.st) == 0;
	free(rdir);
	for (i = 0, o = w->cand; i < named; i++, o++)
		if (!strcmp(o->dir, c.dir) || (c.have_st && o->have_st &&
		    o->st.st_dev == c.st.st_dev && o->st.st_ino == c.st.st_ino))
			break;	/* the same directory: dnsmasq reads it once */
	if (i == named && named < CONFDIR_MAX_CANDS)
		w->cand[w->ncand++] = c, c = (struct cand){ 0 };
	else if (i == named)
		w->ncand++;	/* counted, not named */
	free(c.dir), free(c.filters), free(c.how);
}

/* conf-dir=DIR[,EXT...]: a candidate if our two names would load. */
static void on_conf_dir(struct walk *w, char *arg, const char *where, int depth)
{
	struct filters f = { 0 };
	struct buf flt = { 0 }, why = { 0 };
	char *list[2 * MAX_FILTERS + 2], *dir, *how;
	size_t len, n = dnsconf_fields(arg, list, 2 * MAX_FILTERS + 2);

	dnsconf_unhide(arg);
	for (len = strlen(arg); len > 1 && arg[len - 1] == '/'; len--)
		arg[len - 1] = '\0';
	parse_filters(list + 1, n - 1, &f, &flt, w->star_skips);
	dir = rooted(NULL, arg);
	how = dupf("conf-dir=%s%s%s %s", arg, flt.len ? "," : "",
		   flt.p ? flt.p : "", where);
	if (!dir || !how || flt.oom) {
		w->oom = 1;
	} else {
		if (arg[0] != '/')
			tell(w, 1, dupf("%s: " RELATIVE, how));
		walk_dir(w, dir, &f, how, depth);
		if (loads(&f, RENDER_HOSTS, &why) && loads(&f, RENDER_SRV, &why)) {
			add_cand(w, (struct cand){ dir, flt.p, how, { 0 }, 0 });
			dir = how = NULL, flt = (struct buf){ 0 };
		} else {
			tell(w, 0, dupf("%s does not load %s and %s: %s", how,
					RENDER_HOSTS, RENDER_SRV, why.p ? why.p : ""));
		}
	}
	free(dir);
	free(how);
	buf_free(&flt);
	buf_free(&why);
}

/* One line of a config file: conf-dir and conf-file are followed, any
 * other option goes to the visitor, if there is one. */
static void walk_line(struct walk *w, struct dnsconf *r, int depth)
{
	char *name = r->name, *arg = r->arg, *where;

	if (!name)
		return;
	if (strcmp(name, "conf-dir") && strcmp(name, "conf-file") &&
	    strcmp(name, "conf-script")) {
		if (w->others)
			conflict_scan_line(w->others, r->file, r);
		return;
	}
	if (!(where = dupf("at line %d of %s", r->line, r->file))) {
		w->oom = 1;
		return;
	}
	if (!strcmp(name, "conf-script")) {
		tell(w, 1, dupf("conf-script %s is not run: if it prints conf-dir "
				"lines, set conf_dir in [dnsdrop]", where));
	} else if (!arg || !*arg) {
		if (!strcmp(name, "conf-dir"))
			tell(w, 0, dupf("conf-dir without a directory %s", where));
	} else if (!strcmp(name, "conf-dir")) {
		on_conf_dir(w, arg, where, depth);
	} else if (strcmp(arg, "-")) {	/* "-" is stdin: nothing to follow */
		dnsconf_unhide(arg);
		if (arg[0] != '/')
			tell(w, 1, dupf("conf-file=%s %s: " RELATIVE, arg, where));
		walk_file(w, arg, where, depth + 1);
	}
	free(where);
}

/* 1 if the file was read before (dnsmasq skips repeats by dev/ino: that
 * also ends cycles), else remembers it; -1 when too many were read. */
static int seen_before(struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return 1;
	if (w->nseen == CONFDIR_MAX_FILES)
		return -1;
	w->seen[w->nseen].dev = st->st_dev;
	w->seen[w->nseen++].ino = st->st_ino;
	return 0;
}

static const char *why_text(int why)
{
	return why == EINVAL ? "not a regular file" : why == EFBIG ?
	       "too big for a config file" : strerror(why);
}

/* Read NAME (taken from /, under ROOT) unless it is a repeat; NAMED says
 * where it was named, if at all. Lines as dnsmasq's fgets(MAXDNAME) cuts
 * them: a longer line goes on as the next line, and counts as one. */
static void walk_file(struct walk *w, const char *name, const char *named,
		      int depth)
{
	char *path = rooted(NULL, name), *rpath = rooted(w->root, name), *text = NULL;
	char e[FSX_ERR_MAX];
	struct dnsconf r = { .file = path, .pieces = 1 };
	struct stat st;
	int fd = -1, why = 0, repeat = 0;

	if (!path)
		w->oom = 1;
	else if (depth > CONFDIR_MAX_DEPTH)
		tell(w, 1, dupf("%s: nested deeper than %d files; not read", path,
				CONFDIR_MAX_DEPTH));
	/* O_NONBLOCK: a FIFO must not hang the search; it is refused below. */
	else if (!rpath || (fd = open(rpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 ||
		 fstat(fd, &st) < 0)
		why = rpath ? errno : ENOMEM;
	else if (!S_ISREG(st.st_mode) || st.st_size > (off_t)MAX_BYTES)
		why = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
	else if ((repeat = seen_before(w, &st)) == 0 &&
		 fsx_read_fd(fd, path, (size_t)st.st_size, MAX_BYTES, &text, &r.len,
			     e) < 0)
		why = errno;
	free(rpath);
	if (fd >= 0)
		close(fd);
	if (repeat < 0)
		tell(w, 1, dupf("more than %d config files; %s not read",
				CONFDIR_MAX_FILES, path));
	if (why && depth == 0)
		w->main_errno = why;
	else if (why)
		tell(w, 1, dupf("cannot read %s%s%s: %s", path, named ? ", named "
				: "", named ? named : "", why_text(why)));
	r.text = text;
	while (text && !w->oom && dnsconf_next(&r))
		walk_line(w, &r, depth);
	free(text);
	free(path);
}

/* Free what W holds besides itself: the candidates and the notes. */
static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->ncand && i < CONFDIR_MAX_CANDS; i++)
		free(w->cand[i].dir), free(w->cand[i].filters), free(w->cand[i].how);
	buf_free(&w->notes);
}

/* The error for none or several candidates, with what was seen. */
static void no_single(struct walk *w, const char *conf)
{
	struct buf b = { 0 };
	size_t i;

	if (w->ncand == 0 && w->main_errno)
		buf_printf(&b, "cannot read %s: %s", conf, why_text(w->main_errno));
	else if (w->ncand == 0)
		buf_printf(&b, "no conf-dir line that loads %s and %s was found in "
			   "%s or the files it includes", RENDER_HOSTS, RENDER_SRV,
			   conf);
	else
		buf_printf(&b, "%zu conf-dir lines load %s and %s:", w->ncand,
			   RENDER_HOSTS, RENDER_SRV);
	for (i = 0; i < w->ncand && i < CONFDIR_MAX_CANDS; i++)
		buf_printf(&b, "%s %s (%s)", i ? ";" : "", w->cand[i].dir,
			   w->cand[i].how);
	if (w->ncand == 0 && w->notes.len)
		buf_printf(&b, " (%s)", w->notes.p);
	buf_printf(&b, "; set conf_dir in [dnsdrop] to the directory dnsmasq "
		   "reads drop-ins from%s", w->ncand > 1 ? " (one of these)" : "");
	problems_add(w->pr, w->prfile, 0, SEV_ERROR, "%s",
		     b.oom ? "out of memory" : b.p);
	buf_free(&b);
}

int confdir_find(const char *dnsmasq_conf, const char *root, int star_skips,
		 struct confdir_result *res, struct problems *pr)
{
	struct walk *w = calloc(1, sizeof *w);	/* ~5 KiB: off the stack */
	int rc = -1;

	*res = (struct confdir_result){ 0 };
	if (w) {
		w->root = root;
		w->star_skips = star_skips;
		w->pr = pr;
		w->prfile = dnsmasq_conf;
		walk_file(w, dnsmasq_conf, NULL, 0);
	}
	if (!w || w->oom || w->notes.oom) {
		problems_add(pr, dnsmasq_conf, 0, SEV_ERROR, "out of memory "
			     "while reading %s", dnsmasq_conf);
	} else if (w->ncand != 1) {
		no_single(w, dnsmasq_conf);
	} else {
		res->dir = w->cand[0].dir;
		res->filters = w->cand[0].filters;
		res->how = w->cand[0].how;
		res->dir_rooted = rooted(root, res->dir);
		res->notes = w->notes.p;	/* NULL when none: every note has text */
		w->ncand = 0, w->notes = (struct buf){ 0 };	/* moved to RES */
		if ((rc = res->dir_rooted ? 0 : -1))
			problems_add(pr, dnsmasq_conf, 0, SEV_ERROR, "out of memory");
	}
	if (w)
		walk_free(w);
	free(w);
	if (rc < 0)
		confdir_free(res);
	return rc;
}

void confdir_free(struct confdir_result *res)
{
	free(res->dir);
	free(res->dir_rooted);
	free(res->filters);
	free(res->how);
	free(res->notes);
	*res = (struct confdir_result){ 0 };
}

/* dnsdrop's conf-dir when no conf-dir line loads it (conf_dir set in the
 * INI): the files dnsmasq would load with these FILTERS. */
static void walk_own(struct walk *w, const char *conf_dir, const char *filters)
{
	char *copy = strdup(filters ? filters : ""), *list[2 * MAX_FILTERS + 1];
	struct filters f = { 0 };
	struct buf flt = { 0 };

	if (!copy) {
		w->oom = 1;
		return;
	}
	parse_filters(list, *copy ? dnsconf_fields(copy, list, 2 * MAX_FILTERS + 1) : 0,
		      &f, &flt, w->star_skips);
	walk_dir(w, conf_dir, &f, conf_dir, 0);
	buf_free(&flt);
	free(copy);
}

/* The hosts files addn-hosts= lines named, as dnsmasq reads them. */
static void read_hosts(const char *root, struct conflict_set *theirs)
{
	char e[FSX_ERR_MAX], *abs, *path, *text;
	size_t len;

	for (size_t i = 0; i < theirs->nhosts; i++) {
		abs = rooted(NULL, theirs->hosts[i]);
		path = rooted(root, theirs->hosts[i]);
		text = NULL;
		if (!abs || !path)
			theirs->oom = 1;
		else if (fsx_read(path, MAX_BYTES, FSX_ABSENT_OK, &text, &len, e) == 0 && text)
			conflict_scan_hosts(theirs, abs, text, len);
		free(text);
		free(path);
		free(abs);
	}
}

int confdir_others(const char *dnsmasq_conf, const char *root, const char *conf_dir,
		   const char *filters, int star_skips, struct conflict_set *theirs)
{
	struct walk *w = calloc(1, sizeof *w);
	struct problems quiet = { 0 };	/* discovery's warnings: not news here */
	char *rdir = rooted(root, conf_dir);

	if (w && rdir) {
		w->root = root;
		w->star_skips = star_skips;
		w->pr = &quiet;
		w->prfile = dnsmasq_conf;
		w->others = theirs;
		w->have_own = stat(rdir, &w->own) == 0;
		walk_file(w, dnsmasq_conf, NULL, 0);
		if (w->have_own && !w->own_read)
			walk_own(w, conf_dir, filters);
		theirs->oom |= w->oom || w->notes.oom;
		walk_free(w);
		read_hosts(root, theirs);
	} else {
		theirs->oom = 1;
	}
	problems_free(&quiet);
	free(rdir);
	free(w);
	return theirs->oom ? -1 : 0;
}
