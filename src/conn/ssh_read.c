/* ssh_read.c — reading one channel's stdout and stderr, bounded in bytes
 * and in time, and drained so that a wait on the socket never sleeps on
 * output that already arrived.
 *
 * libssh2 takes every packet waiting on the socket off it whichever stream
 * a read asks for: a read of stderr that finds none can still move the
 * last stdout packet into libssh2's own queue and leave the socket empty.
 * A caller that then polls the socket sleeps, with the reply in memory,
 * until its deadline: a healthy host's poll stalled for the whole timeout
 * now and then (issue 11, item 16).  So reading stops only when a pass over
 * both streams found nothing and libssh2 holds nothing for the channel.
 *
 * A host may also send without end (a forced command of `yes`): reading
 * stops past max_bytes, both streams together, and once the deadline has
 * passed even while data keeps coming. */
#include "conn/ssh_conn.h"

#include "core/timeutil.h"

static size_t queued(LIBSSH2_CHANNEL *ch);

/* Reads one stream until libssh2 holds nothing more for the channel: 1
 * when something came, 0 when nothing did, -1 when reading must stop
 * (*stop says why).  The first read takes what waits on the socket; after
 * it, a read is made only for data already queued, since one that finds
 * the socket empty is a system call for nothing (three to six per wake-up
 * of a 20 KB reply, before this).  What arrives later wakes the caller's
 * poll. */
static int read_stream(struct ssh_reader *r, int stream, struct strbuf *sb, enum ssh_read_rc *stop)
{
	/* Straight into sb: a buffer on the stack would be resident in every
	 * worker thread's stack (128 hosts, 128 of them). */
	enum { MIN_ROOM = 8192 };
	char discard[512];
	int got = 0;
	for (;;) {
		/* one byte past the cap is enough to know it was passed */
		size_t room = r->max_bytes - r->total + 1;
		size_t free_room = sb && sb->cap > sb->len + 1 ? sb->cap - sb->len - 1 : 0;
		size_t want = sb ? (free_room > MIN_ROOM ? free_room : MIN_ROOM) : sizeof discard;
		if (want > room)
			want = room;
		char *dst = sb ? sb_room(sb, want) : discard;
		ssize_t n = libssh2_channel_read_ex(r->ch, stream, dst, want);
		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			return got;
		if (n < 0) {
			r->lib_rc = (int)n;
			*stop = SSH_READ_FAILED;
			return -1;
		}
		if ((size_t)n > r->max_bytes - r->total) {
			if (sb)
				sb_commit(sb, r->max_bytes - r->total);
			r->total = r->max_bytes;
			*stop = SSH_READ_OVER_CAP;
			return -1;
		}
		if (sb)
			sb_commit(sb, (size_t)n);
		r->total += (size_t)n;
		got = 1;
		if (now_ms() >= r->deadline) {   /* a host that never pauses */
			*stop = SSH_READ_LATE;
			return -1;
		}
		if (!queued(r->ch))
			return got;
	}
}

static size_t queued(LIBSSH2_CHANNEL *ch)
{
	unsigned long avail = 0;
	libssh2_channel_window_read_ex(ch, &avail, NULL);
	return avail;
}

enum ssh_read_rc ssh_read_drain(struct ssh_reader *r)
{
	enum ssh_read_rc stop = SSH_READ_DRAINED;
	/* An idle pass with data still queued reads again, once: more would
	 * spin on a stream no one reads (only 0 and stderr exist). */
	int idle_passes = 0;
	while (idle_passes < 2) {
		int a = read_stream(r, 0, r->out, &stop);
		if (a < 0)
			return stop;
		if (!queued(r->ch))
			break;   /* stderr has nothing either */
		int b = read_stream(r, SSH_EXTENDED_DATA_STDERR, r->err, &stop);
		if (b < 0)
			return stop;
		if (!queued(r->ch))
			break;
		idle_passes = a || b ? 0 : idle_passes + 1;
	}
	r->conn->reading = r->ch;   /* for ssh_wait, next */
	return SSH_READ_DRAINED;
}

int ssh_channel_pending(LIBSSH2_CHANNEL *ch)
{
	return queued(ch) > 0 || libssh2_channel_eof(ch);
}
