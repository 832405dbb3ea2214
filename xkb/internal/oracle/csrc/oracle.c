/*
 * oracle: a small command-line front end to the system libxkbcommon, used by
 * gocomp's tests as the reference implementation. Written for gocomp; it only
 * calls libxkbcommon's public API. Built by xkb/internal/oracle at test time.
 *
 * Usage (RMLVO = five arguments: rules model layout variant options; an
 * empty argument lets libxkbcommon pick its built-in default):
 *   oracle keysym OP            one input per stdin line, one output per line;
 *                               OP: name from-name from-name-ci utf32 utf8
 *                               from-utf32 upper lower
 *   oracle kccgst [DIR...]      stdin: RMLVO tab-separated per line;
 *                               stdout: keycodes\ttypes\tcompat\tsymbols
 *                               or "error MESSAGE"; with DIRs, only they
 *                               are the include path (a path holding just
 *                               rules/ makes the keymap compile stop right
 *                               after the rules, which is much faster)
 *   oracle compile RMLVO        keymap text on stdout
 *   oracle compile-text FILE    load keymap text, print libxkbcommon's text
 *   oracle compare RMLVO FILE   compare RMLVO's keymap with FILE's keymap
 *                               (FILE "-" is stdin, also for --keymap and
 *                               bench-parse)
 *   oracle eval RMLVO | eval --keymap FILE   events on stdin, JSON lines out
 *   oracle bench-compile RMLVO N
 *   oracle bench-parse FILE N
 *   oracle bench-serialize RMLVO N
 *   oracle bench-update-key RMLVO N   events ("CODE down|up") on stdin
 *   oracle bench-keysym OP N    OP as for keysym (name from-name
 *                               from-name-ci utf8 upper); inputs on stdin;
 *                               prints ns per call
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xkbcommon/xkbcommon.h>

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("oracle: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static const char *nz(const char *s) { return (s && *s) ? s : NULL; }

static struct xkb_context *new_context(void)
{
    struct xkb_context *ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
    if (!ctx)
        die("cannot create context");
    return ctx;
}

static struct xkb_keymap *keymap_from_names(struct xkb_context *ctx, char **a)
{
    struct xkb_rule_names n = {
        .rules = nz(a[0]), .model = nz(a[1]), .layout = nz(a[2]),
        .variant = nz(a[3]), .options = nz(a[4]),
    };
    return xkb_keymap_new_from_names(ctx, &n, XKB_KEYMAP_COMPILE_NO_FLAGS);
}

static char *read_file(const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        die("open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        if (n == 0)
            break;
        len += n;
    }
    if (f != stdin)
        fclose(f);
    buf[len] = 0;
    return buf;
}

static struct xkb_keymap *keymap_from_file(struct xkb_context *ctx, const char *path)
{
    char *text = read_file(path);
    struct xkb_keymap *km = xkb_keymap_new_from_string(ctx, text,
        XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS);
    free(text);
    return km;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- keysym ---- */

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
}

static int cmd_keysym(const char *op)
{
    char line[4096], buf[64];
    while (fgets(line, sizeof line, stdin)) {
        chomp(line);
        uint32_t v = (uint32_t)strtoul(line, NULL, 16);
        if (!strcmp(op, "name")) {
            if (xkb_keysym_get_name(v, buf, sizeof buf) < 0)
                strcpy(buf, "-");
            puts(buf);
        } else if (!strcmp(op, "from-name")) {
            printf("%" PRIx32 "\n", xkb_keysym_from_name(line, XKB_KEYSYM_NO_FLAGS));
        } else if (!strcmp(op, "from-name-ci")) {
            printf("%" PRIx32 "\n", xkb_keysym_from_name(line, XKB_KEYSYM_CASE_INSENSITIVE));
        } else if (!strcmp(op, "utf32")) {
            printf("%" PRIx32 "\n", xkb_keysym_to_utf32(v));
        } else if (!strcmp(op, "utf8")) {
            int n = xkb_keysym_to_utf8(v, buf, sizeof buf);
            if (n <= 0) {
                printf("%d\n", n);
            } else {
                for (int i = 0; buf[i]; i++)
                    printf("%02x", (unsigned char)buf[i]);
                putchar('\n');
            }
        } else if (!strcmp(op, "from-utf32")) {
            printf("%" PRIx32 "\n", xkb_utf32_to_keysym(v));
        } else if (!strcmp(op, "upper")) {
            printf("%" PRIx32 "\n", xkb_keysym_to_upper(v));
        } else if (!strcmp(op, "lower")) {
            printf("%" PRIx32 "\n", xkb_keysym_to_lower(v));
        } else {
            die("keysym: unknown operation %s", op);
        }
    }
    return 0;
}

/* ---- kccgst: read the components libxkbcommon logs at debug level ---- */

static char kccgst_line[8192];

static void kccgst_log(struct xkb_context *ctx, enum xkb_log_level level,
                       const char *fmt, va_list args)
{
    (void)ctx; (void)level;
    char msg[8192];
    vsnprintf(msg, sizeof msg, fmt, args);
    static const char prefix[] = "Compiling from KcCGST: ";
    if (!strncmp(msg, prefix, sizeof prefix - 1))
        snprintf(kccgst_line, sizeof kccgst_line, "%s", msg + sizeof prefix - 1);
}

/* quoted returns the text between the quotes following "key '" in s. */
static int quoted(const char *s, const char *key, char *out, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s '", key);
    const char *p = strstr(s, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    const char *q = strchr(p, '\'');
    if (!q || (size_t)(q - p) >= size)
        return -1;
    memcpy(out, p, q - p);
    out[q - p] = 0;
    return 0;
}

static int cmd_kccgst(char **dirs, int ndirs)
{
    /* GOCOMP_ORACLE_ENV_NAMES=1 lets XKB_DEFAULT_* fill in empty names. */
    const char *env_names = getenv("GOCOMP_ORACLE_ENV_NAMES");
    int flags = (env_names && !strcmp(env_names, "1")) ? 0 : XKB_CONTEXT_NO_ENVIRONMENT_NAMES;
    struct xkb_context *ctx = xkb_context_new(flags | (ndirs ? XKB_CONTEXT_NO_DEFAULT_INCLUDES : 0));
    if (!ctx)
        die("cannot create context");
    for (int i = 0; i < ndirs; i++)
        if (!xkb_context_include_path_append(ctx, dirs[i]))
            die("kccgst: cannot add include path %s", dirs[i]);
    xkb_context_set_log_level(ctx, XKB_LOG_LEVEL_DEBUG);
    xkb_context_set_log_fn(ctx, kccgst_log);
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        chomp(line);
        char *f[5] = {0};
        char *p = line;
        for (int i = 0; i < 5; i++) {
            f[i] = p ? p : "";
            if (p) {
                char *t = strchr(p, '\t');
                if (t)
                    *t++ = 0;
                p = t;
            }
        }
        kccgst_line[0] = 0;
        struct xkb_keymap *km = keymap_from_names(ctx, f);
        xkb_keymap_unref(km);
        char kc[2048], ty[2048], co[2048], sy[4096];
        if (!kccgst_line[0] || quoted(kccgst_line, "keycodes", kc, sizeof kc) ||
            quoted(kccgst_line, "types", ty, sizeof ty) ||
            quoted(kccgst_line, "compat", co, sizeof co) ||
            quoted(kccgst_line, "symbols", sy, sizeof sy)) {
            printf("error no components logged\n");
        } else {
            printf("%s\t%s\t%s\t%s\n", kc, ty, co, sy);
        }
        fflush(stdout);
    }
    xkb_context_unref(ctx);
    return 0;
}

/* ---- compile ---- */

static int cmd_compile(char **rmlvo)
{
    struct xkb_context *ctx = new_context();
    struct xkb_keymap *km = keymap_from_names(ctx, rmlvo);
    if (!km)
        die("libxkbcommon cannot compile rules=%s model=%s layout=%s variant=%s options=%s",
            rmlvo[0], rmlvo[1], rmlvo[2], rmlvo[3], rmlvo[4]);
    char *s = xkb_keymap_get_as_string(km, XKB_KEYMAP_FORMAT_TEXT_V1);
    fputs(s, stdout);
    free(s);
    xkb_keymap_unref(km);
    xkb_context_unref(ctx);
    return 0;
}

static int cmd_compile_text(const char *path)
{
    struct xkb_context *ctx = new_context();
    struct xkb_keymap *km = keymap_from_file(ctx, path);
    if (!km)
        die("libxkbcommon rejects the keymap text");
    char *s = xkb_keymap_get_as_string(km, XKB_KEYMAP_FORMAT_TEXT_V1);
    fputs(s, stdout);
    free(s);
    xkb_keymap_unref(km);
    xkb_context_unref(ctx);
    return 0;
}

/* ---- compare ---- */

#define MAX_DIFF_LINES 30
static long ndiff;

static void diff(const char *fmt, ...)
{
    ndiff++;
    if (ndiff > MAX_DIFF_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("diff ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static const char *str_or_null(const char *s) { return s ? s : "(null)"; }

static void mods_string(struct xkb_keymap *km, xkb_mod_mask_t m, char *out, size_t size)
{
    out[0] = 0;
    size_t len = 0;
    for (xkb_mod_index_t i = 0; i < 32; i++) {
        if (!(m & (1u << i)))
            continue;
        const char *name = i < xkb_keymap_num_mods(km) ? xkb_keymap_mod_get_name(km, i) : NULL;
        len += snprintf(out + len, size > len ? size - len : 0, "%s%s", len ? "+" : "", str_or_null(name));
    }
    if (!len)
        snprintf(out, size, "none");
}

static void syms_string(const xkb_keysym_t *syms, int n, char *out, size_t size)
{
    size_t len = snprintf(out, size, "[");
    char name[64];
    for (int i = 0; i < n; i++) {
        if (xkb_keysym_get_name(syms[i], name, sizeof name) < 0)
            snprintf(name, sizeof name, "0x%08x", syms[i]);
        len += snprintf(out + len, size > len ? size - len : 0, "%s%s", i ? " " : "", name);
    }
    snprintf(out + len, size > len ? size - len : 0, "]");
}

/* key_effect records what pressing and releasing a key does to a fresh state
 * locked to one layout. */
struct key_effect {
    xkb_mod_mask_t mods[2][3];
    int32_t layouts[2][4];
    uint64_t leds[2];
};

static void record(struct xkb_state *st, struct xkb_keymap *km, int i, struct key_effect *e)
{
    e->mods[i][0] = xkb_state_serialize_mods(st, XKB_STATE_MODS_DEPRESSED);
    e->mods[i][1] = xkb_state_serialize_mods(st, XKB_STATE_MODS_LATCHED);
    e->mods[i][2] = xkb_state_serialize_mods(st, XKB_STATE_MODS_LOCKED);
    e->layouts[i][0] = (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_DEPRESSED);
    e->layouts[i][1] = (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_LATCHED);
    e->layouts[i][2] = (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_LOCKED);
    e->layouts[i][3] = (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_EFFECTIVE);
    e->leds[i] = 0;
    for (xkb_led_index_t l = 0; l < xkb_keymap_num_leds(km) && l < 64; l++)
        if (xkb_state_led_index_is_active(st, l) > 0)
            e->leds[i] |= 1ull << l;
}

static void key_effect(struct xkb_keymap *km, xkb_keycode_t kc, xkb_layout_index_t layout,
                       struct key_effect *e)
{
    struct xkb_state *st = xkb_state_new(km);
    xkb_state_update_mask(st, 0, 0, 0, 0, 0, layout);
    xkb_state_update_key(st, kc, XKB_KEY_DOWN);
    record(st, km, 0, e);
    xkb_state_update_key(st, kc, XKB_KEY_UP);
    record(st, km, 1, e);
    xkb_state_unref(st);
}

static int cmd_compare(char **rmlvo, const char *path)
{
    struct xkb_context *ctx = new_context();
    struct xkb_keymap *want = keymap_from_names(ctx, rmlvo);
    if (!want) {
        printf("error libxkbcommon cannot compile the names\n");
        return 0;
    }
    struct xkb_keymap *got = keymap_from_file(ctx, path);
    if (!got) {
        printf("error libxkbcommon rejects the text\n");
        return 0;
    }

    /* Modifiers, LEDs and layouts, by index. */
    xkb_mod_index_t nm = xkb_keymap_num_mods(want), gm = xkb_keymap_num_mods(got);
    for (xkb_mod_index_t i = 0; i < nm || i < gm; i++) {
        const char *a = i < nm ? xkb_keymap_mod_get_name(want, i) : NULL;
        const char *b = i < gm ? xkb_keymap_mod_get_name(got, i) : NULL;
        if (!a || !b || strcmp(a, b))
            diff("modifier %u: text %s; names %s", i, str_or_null(b), str_or_null(a));
    }
    xkb_led_index_t nl = xkb_keymap_num_leds(want), gl = xkb_keymap_num_leds(got);
    for (xkb_led_index_t i = 0; i < nl || i < gl; i++) {
        const char *a = i < nl ? xkb_keymap_led_get_name(want, i) : NULL;
        const char *b = i < gl ? xkb_keymap_led_get_name(got, i) : NULL;
        if ((a || b) && (!a || !b || strcmp(a, b)))
            diff("led %u: text %s; names %s", i, str_or_null(b), str_or_null(a));
    }
    xkb_layout_index_t ng = xkb_keymap_num_layouts(want), gg = xkb_keymap_num_layouts(got);
    if (ng != gg)
        diff("layout count: text %u; names %u", gg, ng);
    for (xkb_layout_index_t i = 0; i < ng && i < gg; i++) {
        const char *a = xkb_keymap_layout_get_name(want, i);
        const char *b = xkb_keymap_layout_get_name(got, i);
        if ((a || b) && (!a || !b || strcmp(a, b)))
            diff("layout %u name: text %s; names %s", i, str_or_null(b), str_or_null(a));
    }
    xkb_keycode_t wmin = xkb_keymap_min_keycode(want), wmax = xkb_keymap_max_keycode(want);
    xkb_keycode_t gmin = xkb_keymap_min_keycode(got), gmax = xkb_keymap_max_keycode(got);
    if (wmin != gmin || wmax != gmax)
        diff("keycode range: text %u..%u; names %u..%u", gmin, gmax, wmin, wmax);
    xkb_keycode_t lo = wmin < gmin ? wmin : gmin, hi = wmax > gmax ? wmax : gmax;

    /* Per key: name, repeat, layout count, and what a press and release do. */
    xkb_layout_index_t layouts = ng > gg ? ng : gg;
    for (xkb_keycode_t kc = lo; kc <= hi; kc++) {
        const char *a = xkb_keymap_key_get_name(want, kc);
        const char *b = xkb_keymap_key_get_name(got, kc);
        if ((a || b) && (!a || !b || strcmp(a, b)))
            diff("key %u name: text %s; names %s", kc, str_or_null(b), str_or_null(a));
        const char *kn = a ? a : str_or_null(b);
        int ra = xkb_keymap_key_repeats(want, kc), rb = xkb_keymap_key_repeats(got, kc);
        if (ra != rb)
            diff("key <%s> (%u) repeats: text %d; names %d", kn, kc, rb, ra);
        xkb_layout_index_t la = xkb_keymap_num_layouts_for_key(want, kc);
        xkb_layout_index_t lb = xkb_keymap_num_layouts_for_key(got, kc);
        if (la != lb)
            diff("key <%s> (%u) layouts: text %u; names %u", kn, kc, lb, la);
        for (xkb_layout_index_t g = 0; g < layouts; g++) {
            struct key_effect ea, eb;
            key_effect(want, kc, g, &ea);
            key_effect(got, kc, g, &eb);
            if (memcmp(&ea, &eb, sizeof ea)) {
                for (int i = 0; i < 2; i++) {
                    const char *when = i ? "after release" : "after press";
                    for (int c = 0; c < 3; c++) {
                        static const char *comp[] = {"depressed", "latched", "locked"};
                        if (ea.mods[i][c] != eb.mods[i][c]) {
                            char sa[256], sb[256];
                            mods_string(want, ea.mods[i][c], sa, sizeof sa);
                            mods_string(got, eb.mods[i][c], sb, sizeof sb);
                            diff("key <%s> (%u) layout %u %s %s mods: text %s; names %s",
                                 kn, kc, g, when, comp[c], sb, sa);
                        }
                    }
                    for (int c = 0; c < 4; c++) {
                        static const char *comp[] = {"depressed", "latched", "locked", "effective"};
                        if (ea.layouts[i][c] != eb.layouts[i][c])
                            diff("key <%s> (%u) layout %u %s %s layout: text %d; names %d",
                                 kn, kc, g, when, comp[c], eb.layouts[i][c], ea.layouts[i][c]);
                    }
                    if (ea.leds[i] != eb.leds[i])
                        diff("key <%s> (%u) layout %u %s leds: text %#" PRIx64 "; names %#" PRIx64,
                             kn, kc, g, when, eb.leds[i], ea.leds[i]);
                }
            }
        }
    }

    /* Keysyms for every layout and every combination of the 8 real mods. */
    struct xkb_state *sa = xkb_state_new(want), *sb = xkb_state_new(got);
    for (xkb_layout_index_t g = 0; g < layouts; g++) {
        for (xkb_mod_mask_t m = 0; m < 256; m++) {
            xkb_state_update_mask(sa, m, 0, 0, 0, 0, g);
            xkb_state_update_mask(sb, m, 0, 0, 0, 0, g);
            for (xkb_keycode_t kc = lo; kc <= hi; kc++) {
                const xkb_keysym_t *ya, *yb;
                int na = xkb_state_key_get_syms(sa, kc, &ya);
                int nb = xkb_state_key_get_syms(sb, kc, &yb);
                if (na == nb && (na <= 0 || !memcmp(ya, yb, na * sizeof *ya)))
                    continue;
                char ms[256], s1[1024], s2[1024];
                mods_string(want, m, ms, sizeof ms);
                syms_string(yb, nb, s1, sizeof s1);
                syms_string(ya, na, s2, sizeof s2);
                const char *kn = xkb_keymap_key_get_name(want, kc);
                diff("keysyms key <%s> (%u) layout %u mods %s: text %s; names %s",
                     str_or_null(kn), kc, g, ms, s1, s2);
            }
        }
    }
    xkb_state_unref(sa);
    xkb_state_unref(sb);
    printf("total %ld\n", ndiff);
    xkb_keymap_unref(want);
    xkb_keymap_unref(got);
    xkb_context_unref(ctx);
    return 0;
}

/* ---- eval ---- */

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void json_mods(struct xkb_keymap *km, xkb_mod_mask_t m)
{
    putchar('[');
    int first = 1;
    for (xkb_mod_index_t i = 0; i < 8 && i < xkb_keymap_num_mods(km); i++) {
        if (!(m & (1u << i)))
            continue;
        if (!first)
            putchar(',');
        first = 0;
        json_string(xkb_keymap_mod_get_name(km, i));
    }
    putchar(']');
}

/* parse_event reads "CODE down|up|both"; 0 skip, 1 event, -1 bad line. */
static int parse_event(char *line, long *code, char *dir)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#')
        return 0;
    char word[16], extra[2];
    if (sscanf(p, "%ld %15s %1s", code, word, extra) != 2)
        return -1;
    if (*code < 0 || *code > 0xffff)
        return -1;
    if (!strcmp(word, "down"))
        *dir = 'd';
    else if (!strcmp(word, "up"))
        *dir = 'u';
    else if (!strcmp(word, "both"))
        *dir = 'b';
    else
        return -1;
    return 1;
}

/* eval_consumed_mode is the consumed-modifier mode eval reports ("eval-gtk" selects GTK). */
static enum xkb_consumed_mode eval_consumed_mode = XKB_CONSUMED_MODE_XKB;

static int cmd_eval(struct xkb_keymap *km)
{
    struct xkb_state *st = xkb_state_new(km);
    char line[4096], buf[256];
    long lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        chomp(line);
        long code;
        char dir;
        int r = parse_event(line, &code, &dir);
        if (r == 0)
            continue;
        if (r < 0) {
            fprintf(stderr, "oracle: eval: line %ld: want \"<evdev code> down|up|both\", got %s\n",
                    lineno, line);
            continue;
        }
        xkb_keycode_t kc = (xkb_keycode_t)code + 8;
        printf("{\"code\":%ld,\"dir\":\"%s\",\"keysyms\":[", code,
               dir == 'd' ? "down" : dir == 'u' ? "up" : "both");
        const xkb_keysym_t *syms;
        int n = xkb_state_key_get_syms(st, kc, &syms);
        for (int i = 0; i < n; i++) {
            if (xkb_keysym_get_name(syms[i], buf, sizeof buf) < 0)
                snprintf(buf, sizeof buf, "0x%08x", syms[i]);
            if (i)
                putchar(',');
            json_string(buf);
        }
        printf("],\"utf8\":");
        xkb_state_key_get_utf8(st, kc, buf, sizeof buf);
        json_string(buf);
        xkb_layout_index_t layout = xkb_state_key_get_layout(st, kc);
        long level = -1;
        if (layout != XKB_LAYOUT_INVALID) {
            xkb_level_index_t lv = xkb_state_key_get_level(st, kc, layout);
            if (lv != XKB_LEVEL_INVALID)
                level = lv;
        }
        printf(",\"layout\":%ld,\"level\":%ld,\"consumed\":",
               layout == XKB_LAYOUT_INVALID ? -1L : (long)layout, level);
        json_mods(km, xkb_state_key_get_consumed_mods2(st, kc, eval_consumed_mode));
        if (dir == 'd' || dir == 'b')
            xkb_state_update_key(st, kc, XKB_KEY_DOWN);
        if (dir == 'u' || dir == 'b')
            xkb_state_update_key(st, kc, XKB_KEY_UP);
        printf(",\"mods\":{\"depressed\":");
        json_mods(km, xkb_state_serialize_mods(st, XKB_STATE_MODS_DEPRESSED));
        printf(",\"latched\":");
        json_mods(km, xkb_state_serialize_mods(st, XKB_STATE_MODS_LATCHED));
        printf(",\"locked\":");
        json_mods(km, xkb_state_serialize_mods(st, XKB_STATE_MODS_LOCKED));
        printf(",\"effective\":");
        json_mods(km, xkb_state_serialize_mods(st, XKB_STATE_MODS_EFFECTIVE));
        printf("},\"layouts\":{\"depressed\":%d,\"latched\":%d,\"locked\":%d,\"effective\":%d},\"leds\":[",
               (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_DEPRESSED),
               (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_LATCHED),
               (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_LOCKED),
               (int32_t)xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_EFFECTIVE));
        int first = 1;
        for (xkb_led_index_t l = 0; l < xkb_keymap_num_leds(km); l++) {
            const char *name = xkb_keymap_led_get_name(km, l);
            if (!name || xkb_state_led_index_is_active(st, l) <= 0)
                continue;
            if (!first)
                putchar(',');
            first = 0;
            json_string(name);
        }
        printf("]}\n");
    }
    xkb_state_unref(st);
    return 0;
}

/* ---- benchmarks ---- */

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* report prints the mean wall-clock and CPU time per operation since
 * (t0, c0): "WALL CPU" in ns. */
static void report(double t0, double c0, double n)
{
    double wall = now_ns() - t0, cpu = cpu_ns() - c0;
    printf("%.2f %.2f\n", wall / n, cpu / n);
}

static long parse_count(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*end || n <= 0)
        die("bad iteration count %s", s);
    return n;
}

static int cmd_bench_compile(char **rmlvo, long n)
{
    struct xkb_context *ctx = new_context();
    struct xkb_keymap *km = keymap_from_names(ctx, rmlvo); /* warm the caches */
    if (!km)
        die("libxkbcommon cannot compile the names");
    xkb_keymap_unref(km);
    double t0 = now_ns(), c0 = cpu_ns();
    for (long i = 0; i < n; i++)
        xkb_keymap_unref(keymap_from_names(ctx, rmlvo));
    report(t0, c0, n);
    xkb_context_unref(ctx);
    return 0;
}

static int cmd_bench_parse(const char *path, long n)
{
    struct xkb_context *ctx = new_context();
    char *text = read_file(path);
    struct xkb_keymap *km = xkb_keymap_new_from_string(ctx, text, XKB_KEYMAP_FORMAT_TEXT_V1, 0);
    if (!km)
        die("libxkbcommon rejects %s", path);
    xkb_keymap_unref(km);
    double t0 = now_ns(), c0 = cpu_ns();
    for (long i = 0; i < n; i++)
        xkb_keymap_unref(xkb_keymap_new_from_string(ctx, text, XKB_KEYMAP_FORMAT_TEXT_V1, 0));
    report(t0, c0, n);
    free(text);
    xkb_context_unref(ctx);
    return 0;
}

static int cmd_bench_serialize(char **rmlvo, long n)
{
    struct xkb_context *ctx = new_context();
    struct xkb_keymap *km = keymap_from_names(ctx, rmlvo);
    if (!km)
        die("libxkbcommon cannot compile the names");
    double t0 = now_ns(), c0 = cpu_ns();
    for (long i = 0; i < n; i++)
        free(xkb_keymap_get_as_string(km, XKB_KEYMAP_FORMAT_TEXT_V1));
    report(t0, c0, n);
    xkb_keymap_unref(km);
    xkb_context_unref(ctx);
    return 0;
}

static int cmd_bench_update_key(char **rmlvo, long n)
{
    struct xkb_context *ctx = new_context();
    struct xkb_keymap *km = keymap_from_names(ctx, rmlvo);
    if (!km)
        die("libxkbcommon cannot compile the names");
    size_t cap = 1024, len = 0;
    xkb_keycode_t *codes = malloc(cap * sizeof *codes);
    enum xkb_key_direction *dirs = malloc(cap * sizeof *dirs);
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        long code;
        char dir;
        int r = parse_event(line, &code, &dir);
        if (r == 0)
            continue;
        if (r < 0 || dir == 'b')
            die("bench-update-key: bad event line %s", line);
        if (len == cap) {
            cap *= 2;
            codes = realloc(codes, cap * sizeof *codes);
            dirs = realloc(dirs, cap * sizeof *dirs);
        }
        codes[len] = (xkb_keycode_t)code + 8;
        dirs[len++] = dir == 'd' ? XKB_KEY_DOWN : XKB_KEY_UP;
    }
    if (len == 0)
        die("bench-update-key: no events");
    struct xkb_state *st = xkb_state_new(km);
    volatile xkb_keysym_t sink = 0;
    double t0 = now_ns(), c0 = cpu_ns();
    for (long i = 0; i < n; i++) {
        for (size_t j = 0; j < len; j++) {
            xkb_state_update_key(st, codes[j], dirs[j]);
            sink ^= xkb_state_key_get_one_sym(st, codes[j]);
        }
    }
    report(t0, c0, (double)n * len);
    (void)sink;
    xkb_state_unref(st);
    free(codes);
    free(dirs);
    xkb_keymap_unref(km);
    xkb_context_unref(ctx);
    return 0;
}

static int cmd_bench_keysym(const char *op, long n)
{
    size_t cap = 64, len = 0;
    char **in = malloc(cap * sizeof *in);
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        chomp(line);
        if (len == cap)
            in = realloc(in, (cap *= 2) * sizeof *in);
        in[len++] = strdup(line);
    }
    if (len == 0)
        die("bench-keysym: no inputs");
    xkb_keysym_t *ks = malloc(len * sizeof *ks);
    for (size_t i = 0; i < len; i++)
        ks[i] = (xkb_keysym_t)strtoul(in[i], NULL, 16);
    enum { NAME, FROM_NAME, FROM_NAME_CI, UTF8, UPPER } what;
    if (!strcmp(op, "name"))
        what = NAME;
    else if (!strcmp(op, "from-name"))
        what = FROM_NAME;
    else if (!strcmp(op, "from-name-ci"))
        what = FROM_NAME_CI;
    else if (!strcmp(op, "utf8"))
        what = UTF8;
    else if (!strcmp(op, "upper"))
        what = UPPER;
    else
        die("bench-keysym: unknown operation %s", op);
    volatile unsigned long sink = 0;
    char buf[64];
    /* One loop per operation: the timed work is the library call alone,
     * as on the Go side. */
    double t0 = now_ns(), c0 = cpu_ns();
    switch (what) {
    case NAME:
        for (long it = 0; it < n; it++)
            for (size_t i = 0; i < len; i++)
                sink += xkb_keysym_get_name(ks[i], buf, sizeof buf);
        break;
    case FROM_NAME:
        for (long it = 0; it < n; it++)
            for (size_t i = 0; i < len; i++)
                sink += xkb_keysym_from_name(in[i], XKB_KEYSYM_NO_FLAGS);
        break;
    case FROM_NAME_CI:
        for (long it = 0; it < n; it++)
            for (size_t i = 0; i < len; i++)
                sink += xkb_keysym_from_name(in[i], XKB_KEYSYM_CASE_INSENSITIVE);
        break;
    case UTF8:
        for (long it = 0; it < n; it++)
            for (size_t i = 0; i < len; i++)
                sink += xkb_keysym_to_utf8(ks[i], buf, sizeof buf);
        break;
    case UPPER:
        for (long it = 0; it < n; it++)
            for (size_t i = 0; i < len; i++)
                sink += xkb_keysym_to_upper(ks[i]);
        break;
    }
    report(t0, c0, (double)n * len);
    (void)sink;
    for (size_t i = 0; i < len; i++)
        free(in[i]);
    free(in);
    free(ks);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: oracle keysym|kccgst|compile|compare|eval|bench-* ...");
    const char *cmd = argv[1];
    char **a = argv + 2;
    int na = argc - 2;
    if (!strcmp(cmd, "keysym") && na == 1)
        return cmd_keysym(a[0]);
    if (!strcmp(cmd, "kccgst"))
        return cmd_kccgst(a, na);
    if (!strcmp(cmd, "compile") && na == 5)
        return cmd_compile(a);
    if (!strcmp(cmd, "compile-text") && na == 1)
        return cmd_compile_text(a[0]);
    if (!strcmp(cmd, "compare") && na == 6)
        return cmd_compare(a, a[5]);
    if (!strcmp(cmd, "eval-gtk")) {
        eval_consumed_mode = XKB_CONSUMED_MODE_GTK;
        cmd = "eval";
    }
    if (!strcmp(cmd, "eval") && (na == 5 || (na == 2 && !strcmp(a[0], "--keymap")))) {
        struct xkb_context *ctx = new_context();
        struct xkb_keymap *km = na == 5 ? keymap_from_names(ctx, a) : keymap_from_file(ctx, a[1]);
        if (!km)
            die("eval: libxkbcommon cannot compile the keymap");
        int r = cmd_eval(km);
        xkb_keymap_unref(km);
        xkb_context_unref(ctx);
        return r;
    }
    if (!strcmp(cmd, "bench-compile") && na == 6)
        return cmd_bench_compile(a, parse_count(a[5]));
    if (!strcmp(cmd, "bench-parse") && na == 2)
        return cmd_bench_parse(a[0], parse_count(a[1]));
    if (!strcmp(cmd, "bench-serialize") && na == 6)
        return cmd_bench_serialize(a, parse_count(a[5]));
    if (!strcmp(cmd, "bench-update-key") && na == 6)
        return cmd_bench_update_key(a, parse_count(a[5]));
    if (!strcmp(cmd, "bench-keysym") && na == 2)
        return cmd_bench_keysym(a[0], parse_count(a[1]));
    die("unknown command or wrong argument count: %s", cmd);
    return 2;
}
