/* C anchor for BenchmarkKeyEvents: libwayland-server queues argv[1]
 * wl_keyboard.key events for one client on a socketpair, flushing and
 * draining the peer every 1024 events, and prints nanoseconds per event.
 * Written for gocomp's benchmarks. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server.h>
#include <wayland-server-protocol.h>

static char sink[65536];

static void drain(struct wl_client *client, int peer)
{
	wl_client_flush(client);
	while (read(peer, sink, sizeof sink) > 0)
		;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long n = atol(argv[1]);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 1;
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	struct wl_display *display = wl_display_create();
	struct wl_client *client = wl_client_create(display, sv[0]);
	/* id 0: the server allocates the id, as for gocomp's NewKeyboard. */
	struct wl_resource *kb = wl_resource_create(client, &wl_keyboard_interface, 10, 0);
	if (!display || !client || !kb)
		return 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		wl_keyboard_send_key(kb, (uint32_t)i, (uint32_t)i, 30, WL_KEYBOARD_KEY_STATE_PRESSED);
		if ((i & 1023) == 1023)
			drain(client, sv[1]);
	}
	drain(client, sv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("%.3f\n", ns / (double)n);
	wl_client_destroy(client);
	wl_display_destroy(display);
	return 0;
}
