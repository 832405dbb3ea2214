/* C anchor for BenchmarkSyncRoundTrip: libwayland-server serving one
 * client on an inherited socket (fd number in argv[1]) until it leaves.
 * Written for gocomp's benchmarks. */
#include <stdlib.h>
#include <wayland-server.h>

static struct wl_display *display;

static void client_destroyed(struct wl_listener *listener, void *data)
{
	(void)listener;
	(void)data;
	wl_display_terminate(display);
}

static struct wl_listener destroy_listener = { .notify = client_destroyed };

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	display = wl_display_create();
	if (!display)
		return 1;
	struct wl_client *client = wl_client_create(display, atoi(argv[1]));
	if (!client)
		return 1;
	wl_client_add_destroy_listener(client, &destroy_listener);
	wl_display_run(display);
	wl_display_destroy(display);
	return 0;
}
