/* test_fleet_refresh.c — a refresh is answered by the poll it asked for,
 * not by a poll of the schedule's that happened to start after the request.
 *
 * CI once saw it go wrong: an operation changed a host's Open vSwitch
 * bridge, asked for a fresh poll (the slow facts read again) and took the
 * schedule's next poll, started a moment later, for the answer; that poll
 * kept the old bridge, and the next operation was refused for a bond that
 * no longer existed.  Here the worker is held inside two calls while the
 * request waits behind them: between the two it makes its scheduled poll,
 * which must not count, and the request's own poll comes after the second.
 * One host on test:///default, no shell: the order is the worker's, not
 * the host's. */
#include "check.h"

#include <stdatomic.h>

#include "conn/fleet.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

struct gate {
	atomic_int entered, open;
};

static int held_call(struct host_ctx *hc, void *arg, struct vd_err *err)
{
	(void)hc, (void)err;
	struct gate *g = arg;
	atomic_store(&g->entered, 1);
	while (!atomic_load(&g->open))
		sleep_ms(5);
	return 0;
}

static int calls_done;
static void count_done(void *ctx, int rc, const struct vd_err *err)
{
	(void)ctx, (void)rc, (void)err;
	calls_done++;
}

static int wait_flag(atomic_int *flag, int ms)
{
	int64_t deadline = now_ms() + ms;
	while (!atomic_load(flag) && now_ms() < deadline)
		sleep_ms(5);
	return atomic_load(flag);
}

/* Applies results until cond holds or ms pass. */
static int pump_until(struct fleet *f, int (*cond)(void *), void *arg, int ms)
{
	int64_t deadline = now_ms() + ms;
	while (!cond(arg) && now_ms() < deadline)
		fleet_pump(f, 20);
	return cond(arg);
}

static int polled(void *arg) { return ((struct host *)arg)->polls > 0; }
static int one_done(void *arg) { (void)arg; return calls_done >= 1; }

struct answer { struct fleet *f; struct host *h; uint64_t ticket; };
static int answered(void *arg)
{
	struct answer *a = arg;
	return fleet_refresh_answered(a->f, a->h, a->ticket);
}

int main(void)
{
	struct inventory inv;
	memset(&inv, 0, sizeof inv);
	const char *names[] = { "h1", "h2" };
	for (int i = 0; i < 2; i++) {
		struct host_config *hc = inventory_add(&inv);
		hc->name = x_strdup(names[i]);
		hc->transport = HT_NONE;
		hc->libvirt_uri = x_strdup("test:///default");
		hc->interval_ms = 100;
	}
	struct cluster c;
	cluster_init(&c, &inv);
	struct fleet_opts fo = { .connect_timeout_ms = 5000, .poll = 1 };
	struct vd_err err;
	err_clear(&err);
	struct fleet *f = fleet_start(&c, &fo, &err);
	CHECK(f != NULL);
	if (!f)
		return check_summary();
	struct host *h = &c.hosts[0], *h2 = &c.hosts[1];
	CHECK(pump_until(f, polled, h, 5000));

	struct gate first = { 0 }, second = { 0 };
	fleet_call_async(f, h, held_call, &first, count_done, NULL);
	fleet_call_async(f, h, held_call, &second, count_done, NULL);
	CHECK(wait_flag(&first.entered, 5000));
	fleet_pump(f, 0);   /* a poll posted before the worker took the call */
	unsigned base = h->polls;

	struct answer a = { f, h, fleet_refresh_request(f, h, 1) };
	CHECK(!answered(&a));
	sleep_ms(250);      /* the schedule's next poll is due now */
	atomic_store(&first.open, 1);
	CHECK(wait_flag(&second.entered, 5000));
	CHECK(pump_until(f, one_done, NULL, 5000));
	fleet_pump(f, 50);
	CHECK_INT(h->polls, base + 1);          /* the scheduled poll ran, after the request */
	CHECK(h->last_poll_mono > 0);
	CHECK(!answered(&a));                   /* ...and is not its answer */

	atomic_store(&second.open, 1);
	CHECK(pump_until(f, answered, &a, 5000));
	CHECK(h->polls >= base + 2);            /* the request's own poll */
	CHECK_INT(calls_done, 2);

	/* All hosts: answered once each answered; an older ticket stays answered. */
	struct answer all = { f, NULL, fleet_refresh_request(f, NULL, 0) };
	CHECK(!answered(&all));
	CHECK(pump_until(f, answered, &all, 5000));
	struct answer other = { f, h2, all.ticket };
	CHECK(answered(&other));
	CHECK(answered(&a));

	fleet_stop(&f);
	cluster_free(&c);
	inventory_free(&inv);
	return check_summary();
}
