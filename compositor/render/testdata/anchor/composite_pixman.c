/*
 * The anchor of BenchmarkComposite: the work render.Draw does for one
 * damaged rectangle of a 1920x1080 XRGB8888 output (fill the background
 * black, copy a full-output XRGB8888 layer, blend a 250x250 premultiplied
 * ARGB8888 layer at (100,100) over it), done by pixman.
 *
 * usage: composite_pixman ITERATIONS X Y W H [OUT]
 * Prints the mean nanoseconds per iteration; with OUT, writes the
 * output's pixels there (for the test that the work is the same).
 */
#include <pixman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { OUT_W = 1920, OUT_H = 1080, TOP_XY = 100, TOP_SIZE = 250 };

static uint32_t *filled(int w, int h, uint32_t v)
{
	uint32_t *p = malloc((size_t)w * h * 4);
	if (!p) {
		perror("malloc");
		exit(1);
	}
	for (long i = 0; i < (long)w * h; i++)
		p[i] = v;
	return p;
}

static int max_int(int a, int b) { return a > b ? a : b; }
static int min_int(int a, int b) { return a < b ? a : b; }

int main(int argc, char **argv)
{
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: %s ITERATIONS X Y W H [OUT]\n", argv[0]);
		return 2;
	}
	long n = atol(argv[1]);
	int cx = atoi(argv[2]), cy = atoi(argv[3]), cw = atoi(argv[4]), ch = atoi(argv[5]);

	uint32_t *out_px = filled(OUT_W, OUT_H, 0);
	pixman_image_t *out = pixman_image_create_bits(PIXMAN_x8r8g8b8, OUT_W, OUT_H, out_px, OUT_W * 4);
	pixman_image_t *base = pixman_image_create_bits(PIXMAN_x8r8g8b8, OUT_W, OUT_H,
							filled(OUT_W, OUT_H, 0x336699), OUT_W * 4);
	pixman_image_t *top = pixman_image_create_bits(PIXMAN_a8r8g8b8, TOP_SIZE, TOP_SIZE,
						       filled(TOP_SIZE, TOP_SIZE, 0x80402010), TOP_SIZE * 4);
	pixman_color_t black = {0, 0, 0, 0xffff};
	pixman_rectangle16_t damage = {cx, cy, cw, ch};
	int x0 = max_int(cx, TOP_XY), y0 = max_int(cy, TOP_XY);
	int x1 = min_int(cx + cw, TOP_XY + TOP_SIZE), y1 = min_int(cy + ch, TOP_XY + TOP_SIZE);

	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < n; i++) {
		pixman_image_fill_rectangles(PIXMAN_OP_SRC, out, &black, 1, &damage);
		pixman_image_composite32(PIXMAN_OP_SRC, base, NULL, out, cx, cy, 0, 0, cx, cy, cw, ch);
		if (x1 > x0 && y1 > y0)
			pixman_image_composite32(PIXMAN_OP_OVER, top, NULL, out, x0 - TOP_XY, y0 - TOP_XY, 0, 0,
						 x0, y0, x1 - x0, y1 - y0);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
	printf("%.1f\n", n > 0 ? ns / n : 0);

	if (argc == 7) {
		FILE *f = fopen(argv[6], "wb");
		if (!f || fwrite(out_px, 4, (size_t)OUT_W * OUT_H, f) != (size_t)OUT_W * OUT_H || fclose(f)) {
			perror(argv[6]);
			return 1;
		}
	}
	return 0;
}
