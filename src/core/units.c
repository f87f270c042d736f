/* units.c — parsing and printing sizes and rates. */
#include "core/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int size_parse(const char *text, uint64_t *bytes)
{
	if (!text)
		return -1;
	while (isspace((unsigned char)*text))
		text++;
	/* decimal digits with at most one point: strtod alone would also take
	 * "1e3", "0x10", "inf" */
	size_t digits = strspn(text, "0123456789");
	size_t len = digits;
	if (text[len] == '.') {
		size_t frac = strspn(text + len + 1, "0123456789");
		digits += frac;
		len += 1 + frac;
	}
	if (!digits)
		return -1;
	errno = 0;
	char *end;
	double v = strtod(text, &end);
	if (errno || end != text + len)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	double mult = 1;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'B': if (end[1]) return -1; break;
	case 'K': mult = 1024.0; end++; break;
	case 'M': mult = 1024.0 * 1024; end++; break;
	case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
	case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
	case 'P': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; end++; break;
	default: return -1;
	}
	if (mult > 1 && *end && strcasecmp(end, "i") && strcasecmp(end, "ib") && strcasecmp(end, "b"))
		return -1;
	double r = v * mult;
	if (r >= 18446744073709551616.0)   /* 2^64 */
		return -2;
	*bytes = (uint64_t)(r + 0.5);
	return 0;
}

char *size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	double v = (double)bytes;
	int i = 0;
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
	else if (v < 10)
		snprintf(buf, len, "%.1f%c", v, units[i]);
	else
		snprintf(buf, len, "%.0f%c", v, units[i]);
	return buf;
}

char *rate_format(double v, char *buf, size_t len)
{
	static const char units[] = " KMGTP";
	int i = 0;
	if (v < 0)
		v = 0;
	while (v >= 1000 && i < 5) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f", v);
	else if (v < 10)
		snprintf(buf, len, "%.2f%c", v, units[i]);
	else if (v < 100)
		snprintf(buf, len, "%.1f%c", v, units[i]);
	else
		snprintf(buf, len, "%.0f%c", v, units[i]);
	return buf;
}
