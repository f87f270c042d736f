/* strbuf.h — a growable, always NUL-terminated byte string.
 *
 * Used for building XML, JSON, remote command lines and for collecting the
 * output of remote commands. sb_append_xml/sb_append_json escape. */
#ifndef VD_STRBUF_H
#define VD_STRBUF_H

#include <stddef.h>

struct strbuf {
	char  *buf;   /* never NULL after sb_init */
	size_t len;
	size_t cap;
};

void  sb_init(struct strbuf *sb);
void  sb_free(struct strbuf *sb);
void  sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb);   /* caller frees; sb is re-initialised */
void  sb_append_n(struct strbuf *sb, const char *s, size_t n);
void  sb_append(struct strbuf *sb, const char *s);
void  sb_appendc(struct strbuf *sb, char c);
/* Writing in place: sb_room gives at least n writable bytes after the
 * text, sb_commit(sb, k) keeps the first k of them (k <= n), so a reader
 * fills the buffer without a copy through the stack. */
char *sb_room(struct strbuf *sb, size_t n);
void  sb_commit(struct strbuf *sb, size_t k);
void  sb_appendf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escapes < > & ' " so the text is safe in XML content and attributes. */
void  sb_append_xml(struct strbuf *sb, const char *s);
/* Appends s as a JSON string literal, quotes included; every control
 * character (C0, DEL, C1) is escaped, so the literal is terminal-safe. */
void  sb_append_json(struct strbuf *sb, const char *s);
/* Appends s quoted for a POSIX shell (single quotes). */
void  sb_append_shell(struct strbuf *sb, const char *s);

#endif
