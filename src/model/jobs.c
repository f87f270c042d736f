/* jobs.c — the job list. */
#include "model/jobs.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job *jobs_add(struct job_list *jl, const char *kind, const char *host, const char *domain,
		     const char *description)
{
	x_grow(&jl->items, &jl->cap, jl->n + 1, sizeof *jl->items);
	struct job *j = &jl->items[jl->n++];
	memset(j, 0, sizeof *j);
	j->id = ++jl->next_id;
	snprintf(j->kind, sizeof j->kind, "%s", kind ? kind : "");
	snprintf(j->host, sizeof j->host, "%s", host ? host : "");
	snprintf(j->domain, sizeof j->domain, "%s", domain ? domain : "");
	snprintf(j->description, sizeof j->description, "%s", description ? description : "");
	j->state = JOB_RUNNING;
	j->progress = -1;
	j->started = now_wall_s();
	jl->generation++;
	return j;
}

struct job *jobs_find(struct job_list *jl, unsigned id)
{
	for (size_t i = 0; i < jl->n; i++)
		if (jl->items[i].id == id)
			return &jl->items[i];
	return NULL;
}

void jobs_progress(struct job_list *jl, struct job *j, double progress, const char *message)
{
	j->progress = progress;
	if (message)
		snprintf(j->message, sizeof j->message, "%s", message);
	jl->generation++;
}

void jobs_finish(struct job_list *jl, struct job *j, enum job_state state, const char *message)
{
	j->state = state;
	j->finished = now_wall_s();
	if (state == JOB_DONE)
		j->progress = 1;
	if (message)
		snprintf(j->message, sizeof j->message, "%s", message);
	jl->generation++;
}

const char *job_state_name(enum job_state s)
{
	static const char *const names[] = { "queued", "running", "done", "failed", "cancelled" };
	return (unsigned)s < 5 ? names[s] : "?";
}

void jobs_free(struct job_list *jl)
{
	free(jl->items);
	memset(jl, 0, sizeof *jl);
}
