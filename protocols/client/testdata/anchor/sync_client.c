/* C anchor for the client side of BenchmarkSyncRoundTrip: libwayland-client
 * on an inherited socket (fd number in argv[1]) does one warm-up
 * wl_display_roundtrip, then argv[2] more, and prints microseconds per
 * round trip. Written for gocomp's benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <wayland-client.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	struct wl_display *display = wl_display_connect_to_fd(atoi(argv[1]));
	if (!display)
		return 1;
	long n = atol(argv[2]);
	if (wl_display_roundtrip(display) < 0)
		return 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
		if (wl_display_roundtrip(display) < 0)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3;
	printf("%.3f\n", us / (double)n);
	wl_display_disconnect(display);
	return 0;
}
