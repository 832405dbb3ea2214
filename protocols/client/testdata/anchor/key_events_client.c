/* C anchor for BenchmarkKeyEvents: libwayland-client decodes and dispatches
 * argv[1] wl_keyboard.key events that the other end of a socketpair writes
 * in batches of 1024, and prints nanoseconds per event. The keyboard comes
 * from wl_seat v7 bound through a registry nobody serves: the ids are those
 * any client gets (registry 2, seat 3, keyboard 4). Written for gocomp's
 * benchmarks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

static long keys;

static void keymap(void *data, struct wl_keyboard *kb, uint32_t format, int32_t fd, uint32_t size)
{
	close(fd);
}
static void enter(void *data, struct wl_keyboard *kb, uint32_t serial, struct wl_surface *s, struct wl_array *k) {}
static void leave(void *data, struct wl_keyboard *kb, uint32_t serial, struct wl_surface *s) {}
static void key(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t time, uint32_t key, uint32_t state)
{
	keys++;
}
static void modifiers(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t d, uint32_t la, uint32_t lo, uint32_t g) {}
static void repeat_info(void *data, struct wl_keyboard *kb, int32_t rate, int32_t delay) {}

static const struct wl_keyboard_listener listener = {keymap, enter, leave, key, modifiers, repeat_info};

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long n = atol(argv[1]);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 1;
	struct wl_display *display = wl_display_connect_to_fd(sv[0]);
	if (!display)
		return 1;
	struct wl_registry *registry = wl_display_get_registry(display);
	struct wl_seat *seat = wl_registry_bind(registry, 1, &wl_seat_interface, 7);
	struct wl_keyboard *kb = wl_seat_get_keyboard(seat);
	wl_keyboard_add_listener(kb, &listener, NULL);
	wl_display_flush(display);
	uint32_t id = wl_proxy_get_id((struct wl_proxy *)kb);

	enum { batch = 1024, words = 6 };
	static uint32_t buf[batch * words];
	for (int i = 0; i < batch; i++) {
		uint32_t *m = buf + i * words;
		m[0] = id;
		m[1] = (24u << 16) | 3; /* size 24, opcode key */
		m[2] = i;
		m[3] = i;
		m[4] = 30;
		m[5] = 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long done = 0; done < n;) {
		long k = n - done < batch ? n - done : batch;
		if (write(sv[1], buf, k * words * 4) != k * words * 4)
			return 1;
		done += k;
		/* libwayland reads at most its 4 KiB buffer at a time. */
		while (keys < done) {
			while (wl_display_prepare_read(display) != 0)
				wl_display_dispatch_pending(display);
			if (wl_display_read_events(display) < 0 || wl_display_dispatch_pending(display) < 0)
				return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (keys != n)
		return 1;
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("%.3f\n", ns / (double)n);
	wl_display_disconnect(display);
	return 0;
}
