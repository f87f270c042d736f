/* prom_json.c — the JSON answer of Prometheus's instant query API
 * (/api/v1/query) into a vector of samples, with jansson.
 *
 *   {"status":"success","data":{"resultType":"vector","result":[
 *     {"metric":{"__name__":"up","instance":"a:9100"},"value":[1700000000.1,"1"]}, ...]}}
 *
 * Anything else (an error answer, another result type, a malformed
 * sample) fails the whole answer: a half-read vector would show hosts
 * with some of their values missing as if they were known. */
#include "metrics/prom.h"
#include "core/err.h"
#include "core/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int sample_parse(json_t *item, struct prom_sample *s, struct vd_err *err)
{
	json_t *metric = json_object_get(item, "metric");
	json_t *value = json_object_get(item, "value");
	if (!json_is_object(metric) || !json_is_array(value) || json_array_size(value) != 2 ||
	    !json_is_string(json_array_get(value, 1)))
		return err_set(err, VD_EINVAL, "prometheus: a sample lacks its metric or [time, \"value\"]");
	const char *text = json_string_value(json_array_get(value, 1));
	char *end;
	s->value = strtod(text, &end);
	if (end == text || *end)
		return err_set(err, VD_EINVAL, "prometheus: sample value \"%.40s\" is not a number", text);
	s->labels = x_calloc(json_object_size(metric) ? json_object_size(metric) : 1, sizeof *s->labels);
	const char *k;
	json_t *v;
	json_object_foreach(metric, k, v) {
		if (!json_is_string(v))
			return err_set(err, VD_EINVAL, "prometheus: label %.40s is not a string", k);
		s->labels[s->nlabels].name = x_strdup(k);
		s->labels[s->nlabels].value = x_strdup(json_string_value(v));
		s->nlabels++;
	}
	return 0;
}

int prom_vector_parse(const char *body, size_t len, struct prom_vector *out, struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(err, VD_EINVAL, "prometheus: answer is not JSON (line %d: %s)", jerr.line, jerr.text);
	int rc = -1;
	json_t *status = json_object_get(root, "status");
	json_t *data = json_object_get(root, "data");
	json_t *type = json_object_get(data, "resultType");
	json_t *result = json_object_get(data, "result");
	if (!json_is_string(status) || strcmp(json_string_value(status), "success")) {
		json_t *e = json_object_get(root, "error");
		err_set(err, VD_EINVAL, "prometheus: query failed: %.200s",
			json_is_string(e) ? json_string_value(e) : "no status \"success\" in the answer");
		goto out;
	}
	if (!json_is_string(type) || strcmp(json_string_value(type), "vector") || !json_is_array(result)) {
		err_set(err, VD_EINVAL, "prometheus: answer is not an instant vector");
		goto out;
	}
	size_t n = json_array_size(result);
	if (n > PROM_MAX_SERIES) {
		err_set(err, VD_EINVAL, "prometheus: answer holds %zu series, more than %d", n, PROM_MAX_SERIES);
		goto out;
	}
	out->samples = x_calloc(n ? n : 1, sizeof *out->samples);
	for (size_t i = 0; i < n; i++) {
		out->n = i + 1;
		if (sample_parse(json_array_get(result, i), &out->samples[i], err) < 0) {
			prom_vector_free(out);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void prom_vector_free(struct prom_vector *v)
{
	for (size_t i = 0; i < v->n; i++) {
		for (size_t l = 0; l < v->samples[i].nlabels; l++) {
			free(v->samples[i].labels[l].name);
			free(v->samples[i].labels[l].value);
		}
		free(v->samples[i].labels);
	}
	free(v->samples);
	memset(v, 0, sizeof *v);
}

const char *prom_sample_label(const struct prom_sample *s, const char *name)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}
