/* queue.h — a thread-safe FIFO of messages with a pollable wake-up fd.
 *
 * Workers push results; the loop thread, which owns the model, the screen and
 * the Lua state, pops them.  The read end of a pipe becomes readable whenever
 * the queue is non-empty, so a curses loop can poll() stdin and the queue at
 * once instead of sleeping. */
#ifndef VD_QUEUE_H
#define VD_QUEUE_H

#include <pthread.h>

struct queue_item {
	struct queue_item *next;
};

struct queue {
	pthread_mutex_t    lock;
	pthread_cond_t     nonempty;
	struct queue_item *head, *tail;
	int                wake_fd[2];   /* [0] readable while items wait */
	unsigned           count;
};

int   queue_init(struct queue *q);
void  queue_destroy(struct queue *q);
/* item must start with a struct queue_item (embedded, not pointed to). */
void  queue_push(struct queue *q, struct queue_item *item);
/* Returns NULL when empty (nowait) or after timeout_ms (< 0: forever). */
struct queue_item *queue_pop(struct queue *q, int timeout_ms);
int   queue_fd(const struct queue *q);

#endif
