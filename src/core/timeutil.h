/* timeutil.h — monotonic and wall clocks in milliseconds. */
#ifndef VD_TIMEUTIL_H
#define VD_TIMEUTIL_H

#include <stdint.h>

int64_t now_ms(void);        /* monotonic, for intervals and timeouts */
double  now_mono_s(void);    /* monotonic, seconds with fraction */
double  now_wall_s(void);    /* Unix time with fraction, for records */
void    sleep_ms(int ms);

#endif
