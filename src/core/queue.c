/* queue.c — mutex + condition variable FIFO with a self-pipe wake-up. */
#include "core/queue.h"
#include "core/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

int queue_init(struct queue *q)
{
	q->head = q->tail = NULL;
	q->count = 0;
	if (pipe2(q->wake_fd, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

void queue_destroy(struct queue *q)
{
	close(q->wake_fd[0]);
	close(q->wake_fd[1]);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->nonempty);
}

void queue_push(struct queue *q, struct queue_item *item)
{
	item->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = item;
	else
		q->head = item;
	q->tail = item;
	q->count++;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	/* A full pipe already signals "readable": losing this byte is harmless. */
	ssize_t n = write(q->wake_fd[1], "x", 1);
	(void)n;
}

static void drain_wake(struct queue *q)
{
	char buf[256];
	while (read(q->wake_fd[0], buf, sizeof buf) > 0)
		;
}

struct queue_item *queue_pop(struct queue *q, int timeout_ms)
{
	pthread_mutex_lock(&q->lock);
	if (!q->head && timeout_ms != 0) {
		struct timespec deadline;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		if (timeout_ms > 0) {
			deadline.tv_sec += timeout_ms / 1000;
			deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
		}
		while (!q->head) {
			int rc = timeout_ms < 0
				? pthread_cond_wait(&q->nonempty, &q->lock)
				: pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline);
			if (rc == ETIMEDOUT)
				break;
		}
	}
	struct queue_item *it = q->head;
	if (it) {
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
		q->count--;
	}
	if (!q->head)
		drain_wake(q);
	pthread_mutex_unlock(&q->lock);
	return it;
}

int queue_fd(const struct queue *q)
{
	return q->wake_fd[0];
}
