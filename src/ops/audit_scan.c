/* audit_scan.c — reading the audit trail back: which operations have a
 * started record and no result.  Pure (a buffer in, a list out) and strict:
 * a line counts only when it is one whole JSON object, so a record cut
 * short by a crash, or anything else that found its way into the file, is
 * skipped rather than half-read.  Two passes keep the cost at n log n in
 * the number of lines: ids and kinds first, sorted, then the few unfinished
 * lines are read in full. */
#include "ops/audit.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

/* The fields a pass wants, by bit. */
enum field {
	F_ID, F_RECORD, F_TIME, F_USER, F_SUDO, F_HOST, F_DOMAIN, F_OPERATION, F_ARGS, F_PID, F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"id", "record", "time", "user", "sudo_user", "host", "domain", "operation", "arguments", "pid",
};

struct fields {
	char *s[F_COUNT];   /* decoded strings; F_ARGS: the object's JSON text; NULL: absent or null */
	long  pid;
};

struct reader {
	const char *p, *end;
};

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n'))
		r->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sb_append_n(sb, b, n);
}

/* A JSON string at r->p, decoded into out (NULL: only checked).  A raw
 * control character, a bad escape or \u0000 makes the line invalid. */
static int read_string(struct reader *r, struct strbuf *out)
{
	if (r->p >= r->end || *r->p != '"')
		return -1;
	r->p++;
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p++;
		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			if (out)
				sb_appendc(out, (char)c);
			continue;
		}
		if (r->p >= r->end)
			return -1;
		char e = *r->p++;
		const char *plain = strchr("\"\\/bfnrt", e);
		if (e && plain) {
			if (out)
				sb_appendc(out, "\"\\/\b\f\n\r\t"[plain - "\"\\/bfnrt"]);
			continue;
		}
		unsigned cp, lo;
		if (e != 'u' || r->end - r->p < 4 || hex4(r->p, &cp) < 0)
			return -1;
		r->p += 4;
		if (cp >= 0xd800 && cp < 0xdc00) {   /* a surrogate pair */
			if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || hex4(r->p + 2, &lo) < 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return -1;
			r->p += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
			return -1;
		}
		if (out)
			put_utf8(out, cp);
	}
	return -1;
}

static int is_digit(const struct reader *r)
{
	return r->p < r->end && *r->p >= '0' && *r->p <= '9';
}

/* A JSON number; *whole is set when it is a plain integer that fits. */
static int read_number(struct reader *r, long *whole)
{
	const char *start = r->p;
	int neg = r->p < r->end && *r->p == '-', integral = 1;
	if (neg)
		r->p++;
	if (!is_digit(r))
		return -1;
	if (*r->p == '0')
		r->p++;
	else
		while (is_digit(r))
			r->p++;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		integral = 0;
		if (!is_digit(r))
			return -1;
		while (is_digit(r))
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		integral = 0;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!is_digit(r))
			return -1;
		while (is_digit(r))
			r->p++;
	}
	if (whole) {
		*whole = 0;
		if (integral && r->p - start - neg <= 15) {
			long v = 0;
			for (const char *q = start + neg; q < r->p; q++)
				v = v * 10 + (*q - '0');
			*whole = neg ? -v : v;
		}
	}
	return 0;
}

static int read_literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return -1;
	r->p += n;
	return 0;
}

static int skip_value(struct reader *r, int depth);

/* An object or array (open at r->p), checked and skipped. */
static int skip_container(struct reader *r, int depth)
{
	char close = *r->p == '{' ? '}' : ']';
	int object = close == '}';
	if (depth >= MAX_DEPTH)
		return -1;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		if (object) {
			if (read_string(r, NULL) < 0)
				return -1;
			skip_ws(r);
			if (r->p >= r->end || *r->p++ != ':')
				return -1;
		}
		if (skip_value(r, depth + 1) < 0)
			return -1;
		skip_ws(r);
		if (r->p >= r->end)
			return -1;
		char c = *r->p++;
		if (c == close)
			return 0;
		if (c != ',')
			return -1;
		skip_ws(r);
	}
}

static int skip_value(struct reader *r, int depth)
{
	skip_ws(r);
	if (r->p >= r->end)
		return -1;
	switch (*r->p) {
	case '{':
	case '[': return skip_container(r, depth);
	case '"': return read_string(r, NULL);
	case 't': return read_literal(r, "true");
	case 'f': return read_literal(r, "false");
	case 'n': return read_literal(r, "null");
	default: return read_number(r, NULL);
	}
}

static void fields_free(struct fields *f)
{
	for (int i = 0; i < F_COUNT; i++)
		free(f->s[i]);
	memset(f, 0, sizeof *f);
}

/* One line as a JSON object; fills the wanted fields (a bit mask of enum
 * field).  -1 (f left empty) when the line is not exactly one object. */
static int parse_line(const char *line, size_t len, unsigned want, struct fields *f)
{
	struct reader r = { line, line + len };
	struct strbuf key, val;
	sb_init(&key);
	sb_init(&val);
	memset(f, 0, sizeof *f);
	skip_ws(&r);
	if (r.p >= r.end || *r.p != '{')
		goto bad;
	r.p++;
	skip_ws(&r);
	if (r.p < r.end && *r.p == '}') {
		r.p++;
		goto end;
	}
	for (;;) {
		sb_reset(&key);
		if (read_string(&r, &key) < 0)
			goto bad;
		skip_ws(&r);
		if (r.p >= r.end || *r.p++ != ':')
			goto bad;
		skip_ws(&r);
		int which = -1;
		for (int i = 0; i < F_COUNT; i++)
			if ((want & (1u << i)) && strlen(field_names[i]) == key.len && !strcmp(key.buf, field_names[i]))
				which = i;
		if (which < 0) {
			if (skip_value(&r, 1) < 0)
				goto bad;
		} else if (which == F_PID) {
			if (r.p < r.end && *r.p == 'n') {
				if (read_literal(&r, "null") < 0)
					goto bad;
			} else if (read_number(&r, &f->pid) < 0) {
				goto bad;
			}
		} else if (which == F_ARGS) {
			const char *start = r.p;
			if (r.p >= r.end || *r.p != '{' || skip_container(&r, 1) < 0)
				goto bad;
			free(f->s[which]);
			f->s[which] = x_strndup(start, (size_t)(r.p - start));
		} else if (r.p < r.end && *r.p == 'n') {
			if (read_literal(&r, "null") < 0)
				goto bad;
			free(f->s[which]);
			f->s[which] = NULL;
		} else {
			sb_reset(&val);
			if (read_string(&r, &val) < 0)
				goto bad;
			free(f->s[which]);
			f->s[which] = sb_detach(&val);
		}
		skip_ws(&r);
		if (r.p >= r.end)
			goto bad;
		char c = *r.p++;
		if (c == '}')
			break;
		if (c != ',')
			goto bad;
		skip_ws(&r);
	}
end:
	skip_ws(&r);
	if (r.p != r.end)
		goto bad;
	sb_free(&key);
	sb_free(&val);
	return 0;
bad:
	sb_free(&key);
	sb_free(&val);
	fields_free(f);
	return -1;
}

/* Pass one: a line with an id and a kind. */
struct mark {
	char       *id;
	int         started;
	size_t      seq;           /* line number, for file order */
	const char *line;
	size_t      len;
};

static int by_id_then_seq(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_seq(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static char *take(struct fields *f, enum field i)
{
	char *s = f->s[i];
	f->s[i] = NULL;
	return s;
}

void audit_scan_unfinished(const char *buf, size_t len, int from_middle, struct unfinished_list *out)
{
	struct mark *marks = NULL;
	size_t n = 0, cap = 0, seq = 0;
	const char *p = buf, *end = buf + len;
	if (from_middle) {
		const char *nl = memchr(p, '\n', len);
		p = nl ? nl + 1 : end;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		struct fields f;
		if (parse_line(p, (size_t)(stop - p), 1u << F_ID | 1u << F_RECORD, &f) == 0 && f.s[F_ID] &&
		    f.s[F_RECORD] && f.s[F_ID][0] && strlen(f.s[F_ID]) < AUDIT_ID_MAX &&
		    (!strcmp(f.s[F_RECORD], "started") || !strcmp(f.s[F_RECORD], "result"))) {
			x_grow(&marks, &cap, n + 1, sizeof *marks);
			marks[n++] = (struct mark){ take(&f, F_ID), !strcmp(f.s[F_RECORD], "started"), seq, p,
						    (size_t)(stop - p) };
		}
		fields_free(&f);
		seq++;
		p = nl ? nl + 1 : end;
	}
	if (n)   /* qsort wants an array, even of nothing */
		qsort(marks, n, sizeof *marks, by_id_then_seq);
	/* Each id's first started record, when no record of that id is a result. */
	size_t nopen = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, first_start = n;
		int has_result = 0;
		for (; j < n && !strcmp(marks[j].id, marks[i].id); j++) {
			if (marks[j].started && first_start == n)
				first_start = j;
			has_result |= !marks[j].started;
		}
		if (!has_result && first_start < n) {
			struct mark m = marks[first_start];
			marks[first_start].id = NULL;   /* moved */
			for (size_t k = i; k < j; k++)
				if (k != first_start) {
					free(marks[k].id);
					marks[k].id = NULL;
				}
			marks[nopen++] = m;   /* nopen <= i: never overwrites an unread group */
		} else {
			for (size_t k = i; k < j; k++) {
				free(marks[k].id);
				marks[k].id = NULL;
			}
		}
		i = j;
	}
	if (nopen)
		qsort(marks, nopen, sizeof *marks, by_seq);
	size_t from = nopen > AUDIT_UNFINISHED_MAX ? nopen - AUDIT_UNFINISHED_MAX : 0;
	out->dropped = from;
	out->items = x_calloc(nopen - from + 1, sizeof *out->items);
	out->n = 0;
	for (size_t i = 0; i < nopen; i++) {
		struct fields f;
		if (i >= from && parse_line(marks[i].line, marks[i].len, ~0u, &f) == 0) {
			struct unfinished_op *u = &out->items[out->n++];
			u->id = take(&f, F_ID);
			u->time = take(&f, F_TIME);
			u->user = take(&f, F_USER);
			u->sudo_user = take(&f, F_SUDO);
			u->host = take(&f, F_HOST);
			u->domain = take(&f, F_DOMAIN);
			u->operation = take(&f, F_OPERATION);
			u->args_json = take(&f, F_ARGS);
			u->pid = f.pid > 0 ? f.pid : 0;
			fields_free(&f);
		}
		free(marks[i].id);
	}
	free(marks);
}
