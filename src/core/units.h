/* units.h — sizes as operators write them ("8G", "512MiB", "1.5T") and back. */
#ifndef VD_UNITS_H
#define VD_UNITS_H

#include <stdint.h>
#include <stddef.h>

/* Binary multiples (K=1024). A bare number is bytes, decimal only (no
 * exponent, no hex).  Returns -1 on bad text, -2 when it is 2^64 or more. */
int   size_parse(const char *text, uint64_t *bytes);
/* "7.8G", "512M", "12K", "100B" into buf. */
char *size_format(uint64_t bytes, char *buf, size_t len);
/* Bits per second with SI prefixes: "9.41G", "120M". */
char *rate_format(double per_s, char *buf, size_t len);

#endif
