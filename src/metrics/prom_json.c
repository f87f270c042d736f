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

/* The sample's labels point into the parsed document (out->doc), and its
 * label array is a slice of one array for the whole answer: no copy and no
 * allocation per series, which an answer of tens of thousands of series
 * would otherwise pay for at every poll. */
static int sample_parse(json_t *item, struct prom_sample *s, struct prom_label *labels, struct vd_err *err)
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
	s->labels = labels;
	const char *k;
	json_t *v;
	json_object_foreach(metric, k, v) {
		if (!json_is_string(v))
			return err_set(err, VD_EINVAL, "prometheus: label %.40s is not a string", k);
		s->labels[s->nlabels].name = (char *)k;
		s->labels[s->nlabels].value = (char *)json_string_value(v);
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
	size_t nlabels = 0;
	for (size_t i = 0; i < n; i++)
		nlabels += json_object_size(json_object_get(json_array_get(result, i), "metric"));
	out->samples = x_calloc(n ? n : 1, sizeof *out->samples);
	out->labels = x_calloc(nlabels ? nlabels : 1, sizeof *out->labels);
	out->doc = root;
	root = NULL;
	for (size_t i = 0, l = 0; i < n; i++) {
		out->n = i + 1;
		if (sample_parse(json_array_get(result, i), &out->samples[i], out->labels + l, err) < 0) {
			prom_vector_free(out);
			goto out;
		}
		l += out->samples[i].nlabels;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void prom_vector_free(struct prom_vector *v)
{
	free(v->labels);
	free(v->samples);
	json_decref(v->doc);
	memset(v, 0, sizeof *v);
}

const char *prom_sample_label(const struct prom_sample *s, const char *name)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}
