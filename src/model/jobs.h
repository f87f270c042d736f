/* jobs.h — long operations (migrations, merges, runbook runs) as the Jobs
 * view and the Lua API see them.  Written on the loop thread only. */
#ifndef VD_JOBS_H
#define VD_JOBS_H

#include <stddef.h>

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

struct job {
	unsigned       id;
	char           kind[32];       /* "migrate", "merge", "runbook", ... */
	char           host[64];
	char           domain[128];
	char           description[160];
	enum job_state state;
	double         progress;       /* 0..1, < 0 unknown */
	double         started, finished;   /* Unix time; finished 0 while running */
	char           message[256];   /* last progress line or the error */
};

struct job_list {
	struct job *items;
	size_t      n, cap;
	unsigned    next_id;
	unsigned    generation;        /* bumps on every change (for redraws) */
};

struct job *jobs_add(struct job_list *jl, const char *kind, const char *host, const char *domain,
		     const char *description);
struct job *jobs_find(struct job_list *jl, unsigned id);
void jobs_progress(struct job_list *jl, struct job *j, double progress, const char *message);
void jobs_finish(struct job_list *jl, struct job *j, enum job_state state, const char *message);
const char *job_state_name(enum job_state s);
void jobs_free(struct job_list *jl);

#endif
