/*
 * main.c - the vex command line and the pipeline.
 *
 * compile() is the whole architecture in one screen:
 *   read -> tokenize+parse -> check (names, types) -> own (what may move)
 *        -> lower to MIR -> borrowck (moves, loans) -> emit C
 * and then the C compiler. `--dump=tokens|ast|mir` prints the IR after a
 * stage. `vex run` caches the executable under $XDG_CACHE_HOME/vex (or
 * ~/.cache/vex) keyed by a content hash of the sources (with the headers
 * the .c files include), the vex version and binary, the runtime library,
 * the flags and the C compiler, so an unchanged program starts at once the
 * second time; the cache deletes what was not used for 5 days.
 * The runtime is found relative to this executable: <bin>/../lib/vex/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vexc.h"

#ifndef VX_SANFLAGS
#define VX_SANFLAGS ""
#endif

typedef struct Options {
    const char *cmd;
    Vec vx_files, c_files;
    const char *out;
    const char *dump;
    bool release;
    int prog_argc;
    char **prog_argv;
} Options;

static void usage(FILE *f) {
    fputs("usage: vex <command> [args]\n"
          "commands:\n"
          "  run FILE.vx... [FILE.c...] [-- args]   compile (cached) and run\n"
          "  build FILE.vx... [FILE.c...] [-o OUT|DIR] [--release]\n"
          "                                          build a native executable\n"
          "  check FILE.vx...                        diagnostics only (exit 1 on error)\n"
          "  emit-c FILE.vx...                       print the generated C\n"
          "  help                                    this text\n"
          "  --version                               print the version\n"
          "options: --dump=tokens|ast|mir             print the IR after a stage\n"
          "         --error-format=json                one JSON object per diagnostic\n"
          "environment: VEX_CC          the C compiler, with any arguments (default cc)\n"
          "             XDG_CACHE_HOME  vex run caches programs in $XDG_CACHE_HOME/vex\n"
          "                             (default ~/.cache/vex; delete it at will)\n"
          "             VEX_KEEP_C=1    keep the generated C file and say where\n",
          f);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(&b, tmp, n);
    if (ferror(f)) { /* e.g. EISDIR: a directory opens but does not read */
        int e = errno;
        fclose(f);
        buf_free(&b);
        errno = e;
        return NULL;
    }
    fclose(f);
    if (!b.data)
        buf_put(&b, "", 0);
    *len = b.len;
    return b.data;
}

/* The pipeline. Returns 0 on success, 1 after a diagnostic. */
static int compile(Program *prog, Options *o, FILE *c_out) {
    jmp_buf jb;
    diag_jmp = &jb;
    if (setjmp(jb))
        return 1;
    diag_reset();
    types_init();
    for (int i = 0; i < o->vx_files.len; i++) {
        SrcFile *f = o->vx_files.items[i];
        if (o->dump && !strcmp(o->dump, "tokens")) {
            dump_tokens(f, stdout);
            continue;
        }
        parse_file(prog, f);
    }
    if (o->dump && !strcmp(o->dump, "tokens"))
        return 0;
    check_program(prog);
    own_program(prog);
    if (o->dump && !strcmp(o->dump, "ast")) {
        dump_ast(prog, stdout);
        return 0;
    }
    MProgram *mir = lower_program(prog);
    if (o->dump && !strcmp(o->dump, "mir")) {
        for (int i = 0; i < mir->fns.len; i++)
            mir_dump(mir->fns.items[i], stdout);
        return 0;
    }
    borrowck_program(mir);
    if (c_out)
        emit_program(prog, mir, c_out);
    return 0;
}

int vexc_check_source(const char *path, const char *src, size_t len) {
    arena_reset();
    Program prog = {0};
    Options o = {0};
    SrcFile *f = arena_alloc(sizeof(SrcFile));
    f->path = path;
    f->text = src;
    f->len = len;
    vec_push(&o.vx_files, f);
    diag_set_quiet(true);
    FILE *devnull = fopen("/dev/null", "w");
    int r = compile(&prog, &o, devnull);
    if (devnull)
        fclose(devnull);
    diag_jmp = NULL;
    arena_reset();
    return r;
}

/* ---- finding the runtime, hashing, invoking cc ---- */

/* The runtime of this vex: <dir of the executable>/../lib/vex, with the
 * symlinks in the executable's path resolved (/proc/self/exe). */
static char self_exe[PATH_MAX];

static char *runtime_dir(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return arena_printf("lib/vex");
    exe[n] = 0;
    memcpy(self_exe, exe, (size_t)n + 1);
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    char *slash2 = strrchr(exe, '/');
    if (slash2 && slash2 != exe) {
        *slash2 = 0; /* <prefix>/bin -> <prefix> */
        return arena_printf("%s/lib/vex", exe);
    }
    return arena_printf("%s/../lib/vex", exe);
}

/* Before compiling: is the runtime there? A clear message beats the C
 * compiler's "vexrt.h: No such file or directory". */
static bool runtime_present(const char *rt) {
    const char *need[] = {"vexrt.h", "libvexrt.a"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        char *p = arena_printf("%s/%s", rt, need[i]);
        if (access(p, R_OK) != 0) {
            fprintf(stderr,
                    "vex: cannot find the runtime: %s: %s\n"
                    "vex: it is looked for in ../lib/vex from this vex (%s); run `make` in the "
                    "source tree, or `make install PREFIX=DIR` and use DIR/bin/vex\n",
                    p, strerror(errno), self_exe[0] ? self_exe : "?");
            return false;
        }
    }
    return true;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static uint64_t hash_file(uint64_t h, const char *path) {
    size_t len;
    char *d = read_file(path, &len);
    if (d) {
        h = fnv(h, d, len);
        free(d);
    }
    return fnv(h, path, strlen(path));
}

/* Interrupted (Ctrl-C) while the C compiler runs, vex stops it and deletes
 * its temp files (the generated C, the half-built program in the cache)
 * before dying of the same signal. */
static const char *volatile doomed[2];
static volatile pid_t cc_child;

static void on_fatal_signal(int sig) {
    if (cc_child > 0) {
        kill(cc_child, sig);
        waitpid(cc_child, NULL, 0);
    }
    for (int i = 0; i < 2; i++)
        if (doomed[i])
            unlink(doomed[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void clean_up_on_signals(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static int run_cmd(char **argv) {
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    cc_child = pid;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "vex: cannot run the C compiler `%s`: %s (VEX_CC picks it)\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            cc_child = 0;
            return -1;
        }
    cc_child = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *cc_name(void) {
    const char *cc = getenv("VEX_CC");
    return cc && cc[strspn(cc, " \t")] ? cc : "cc";
}

/* The C compiler's words into argv (at most 100). VEX_CC may hold arguments,
 * like CC for make: "ccache gcc", "gcc -m32". 0 after a message if empty. */
static int cc_words(char **argv) {
    int n = 0;
    char *cc = arena_strndup(cc_name(), strlen(cc_name()));
    for (char *tok = strtok(cc, " \t"); tok && n < 100; tok = strtok(NULL, " \t"))
        argv[n++] = tok;
    if (n == 0)
        fprintf(stderr, "vex: VEX_CC holds no command\n");
    return n;
}

/* Compiles the C file (plus the user's .c files) into exe. */
static int cc_build(Options *o, const char *c_path, const char *exe) {
    char *rt = runtime_dir();
    if (!runtime_present(rt))
        return 1;
    char *argv[256];
    int n = cc_words(argv);
    if (n == 0)
        return 1;
    argv[n++] = "-std=gnu11";
    argv[n++] = o->release ? "-O2" : "-O1";
    argv[n++] = "-g";
    argv[n++] = "-Wall";
    argv[n++] = "-Wextra";
    argv[n++] = "-fwrapv";
    argv[n++] = "-fno-strict-aliasing";
    argv[n++] = "-Wno-infinite-recursion"; /* the program's own logic, not codegen */
    argv[n++] = arena_printf("-I%s", rt);
    char *san = arena_strndup(VX_SANFLAGS, strlen(VX_SANFLAGS));
    for (char *tok = strtok(san, " "); tok && n < 200; tok = strtok(NULL, " "))
        argv[n++] = tok;
    argv[n++] = "-o";
    argv[n++] = (char *)exe;
    argv[n++] = (char *)c_path;
    for (int i = 0; i < o->c_files.len && n < 240; i++)
        argv[n++] = o->c_files.items[i];
    argv[n++] = arena_printf("%s/libvexrt.a", rt);
    argv[n++] = "-lpthread";
    argv[n++] = "-lm";
    argv[n] = NULL;
    int r = run_cmd(argv);
    if (r != 0) {
        if (r != 127) /* 127: it did not start, and the child said why */
            fprintf(stderr, "vex: the C compiler failed (status %d)\n", r);
        return 1;
    }
    return 0;
}

/* $XDG_CACHE_HOME/vex (an absolute XDG_CACHE_HOME only, as the XDG spec
 * says), else $HOME/.cache/vex; created if missing. NULL (after a message)
 * if it cannot be used. */
static char *cache_dir(void) {
    const char *x = getenv("XDG_CACHE_HOME");
    char *d;
    if (x && x[0] == '/')
        d = arena_printf("%s/vex", x);
    else {
        /* Never a shared fallback like /tmp/.cache: anyone could plant the
         * program vex runs there. Go's build cache refuses the same way. */
        const char *home = getenv("HOME");
        if (!home || home[0] != '/') {
            fputs("vex: the run cache needs $XDG_CACHE_HOME or $HOME (neither is set to an "
                  "absolute path); set one, or use vex build\n",
                  stderr);
            return NULL;
        }
        d = arena_printf("%s/.cache/vex", home);
    }
    char *p = arena_strndup(d, strlen(d));
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0755);
            *s = '/';
        }
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "vex: cannot create the build cache %s: %s (set XDG_CACHE_HOME)\n", d,
                strerror(errno));
        return NULL;
    }
    if (access(d, W_OK | X_OK) != 0) {
        fprintf(stderr, "vex: cannot use the build cache %s: %s (set XDG_CACHE_HOME)\n", d,
                strerror(errno));
        return NULL;
    }
    return d;
}

/* Compiles the program into exe. The C goes to memory first, so a program
 * with errors (or a crash of vex) leaves no temp file behind. */
static int build(Options *o, const char *exe) {
    Program prog = {0};
    char *ctext = NULL;
    size_t clen = 0;
    FILE *mem = open_memstream(&ctext, &clen);
    if (!mem) {
        perror("vex: open_memstream");
        return 1;
    }
    int r = compile(&prog, o, mem);
    fclose(mem);
    if (r) {
        free(ctext);
        return r;
    }
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    char *cpath = arena_printf("%s/vex-XXXXXX.c", tmpdir);
    int fd = mkstemps(cpath, 2);
    if (fd < 0) {
        fprintf(stderr, "vex: cannot create a temporary file in %s: %s\n", tmpdir, strerror(errno));
        free(ctext);
        return 1;
    }
    bool keep = getenv("VEX_KEEP_C") != NULL;
    if (!keep)
        doomed[0] = cpath;
    FILE *f = fdopen(fd, "w");
    bool ok = f && fwrite(ctext, 1, clen, f) == clen;
    if (f && fclose(f) != 0)
        ok = false;
    free(ctext);
    if (!ok) {
        fprintf(stderr, "vex: cannot write %s: %s\n", cpath, strerror(errno));
        r = 1;
    } else {
        r = cc_build(o, cpath, exe);
    }
    doomed[0] = NULL;
    if (!keep)
        unlink(cpath);
    else
        fprintf(stderr, "vex: generated C kept in %s\n", cpath);
    return r;
}

/* ---- the headers of the user's .c files, for the run cache ----
 * The key of a cached program covers the sources given on the command line,
 * but a .c file also depends on the headers it includes. After a build, the
 * C compiler lists them (-MM) into KEY.deps, KEY the hash of the command
 * line's files; the executable is stored under the hash of KEY and the
 * contents of the listed headers, so editing a header rebuilds. */

/* Appends the files of a make rule (`t: a.c b.h \<newline> c.h`, `\ ` an
 * escaped space) after the target to out, one per line. */
static void rule_files(const char *rule, size_t len, Buf *out) {
    size_t i = 0; /* skip the target: up to a ':' that ends a word */
    while (i < len && !(rule[i] == ':' && (i + 1 == len || strchr(" \t\n", rule[i + 1]))))
        i++;
    i++;
    char word[PATH_MAX];
    size_t w = 0;
    for (; i <= len; i++) {
        char c = i < len ? rule[i] : ' ';
        if (c == '\\' && i + 1 < len && rule[i + 1] == ' ') {
            c = rule[++i];
        } else if (c == '\\' && i + 1 < len && rule[i + 1] == '\n') {
            i++;
            c = ' ';
        } else if (c == ' ' || c == '\n' || c == '\t') {
            if (w) {
                buf_put(out, word, w);
                buf_put(out, "\n", 1);
            }
            w = 0;
            continue;
        }
        if (w < sizeof word - 1)
            word[w++] = c;
    }
}

/* Writes deps_path: every file the user's .c files include (cc -MM), one a
 * line. False if the C compiler could not say. */
static bool write_deps(Options *o, const char *deps_path) {
    Buf list = {0};
    char *mf = arena_printf("%s.mm%d", deps_path, (int)getpid());
    for (int i = 0; i < o->c_files.len; i++) {
        char *argv[120];
        int n = cc_words(argv);
        if (n == 0)
            return false;
        argv[n++] = arena_printf("-I%s", runtime_dir());
        argv[n++] = "-MM";
        argv[n++] = "-MF";
        argv[n++] = mf;
        argv[n++] = o->c_files.items[i];
        argv[n] = NULL;
        size_t len;
        char *rule = run_cmd(argv) == 0 ? read_file(mf, &len) : NULL;
        unlink(mf);
        if (!rule) {
            buf_free(&list);
            return false;
        }
        rule_files(rule, len, &list);
        free(rule);
    }
    char *tmp = arena_printf("%s.tmp%d", deps_path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    bool ok = f && fwrite(list.data ? list.data : "", 1, list.len, f) == list.len;
    if (f && fclose(f) != 0)
        ok = false;
    buf_free(&list);
    if (ok)
        ok = rename(tmp, deps_path) == 0;
    if (!ok)
        unlink(tmp);
    return ok;
}

/* key hashed with the contents of the files deps_path lists; false if there
 * is no such list yet. */
static bool hash_deps(uint64_t *key, const char *deps_path) {
    size_t len;
    char *d = read_file(deps_path, &len);
    if (!d)
        return false;
    for (char *line = d; line < d + len;) {
        char *nl = memchr(line, '\n', (size_t)(d + len - line));
        if (!nl)
            break;
        *nl = 0;
        *key = hash_file(*key, line);
        line = nl + 1;
    }
    free(d);
    return true;
}

/* ---- keeping the run cache small ----
 * As Go's build cache does: a hit refreshes the entry's mtime (at most once
 * an hour, so hits stay cheap); at most once a day (the mtime of the file
 * `trimmed`) a miss deletes the entries unused for 5 days and the temp files
 * of builds that were interrupted over an hour ago. Only names vex makes are
 * touched: 16 hex digits, then nothing, `.deps`, or a temp suffix. */
enum { HOUR = 3600, DAY = 24 * HOUR, UNUSED = 5 * DAY };

static void cache_touch(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0 && st.st_mtime < time(NULL) - HOUR)
        utimensat(AT_FDCWD, path, NULL, 0);
}

static bool all_digits(const char *s) {
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The age after which the cache file `name` goes, or 0 if it is not vex's. */
static long cache_lifetime(const char *name) {
    for (int i = 0; i < 16; i++)
        if (!name[i] || !strchr("0123456789abcdef", name[i]))
            return 0;
    const char *rest = name + 16;
    if (!strncmp(rest, ".deps", 5))
        rest += 5;
    if (!*rest)
        return UNUSED;
    if ((!strncmp(rest, ".tmp", 4) && all_digits(rest + 4)) ||
        (!strncmp(rest, ".mm", 3) && all_digits(rest + 3)))
        return HOUR;
    return 0;
}

static void cache_trim(const char *dir) {
    char *stamp = arena_printf("%s/trimmed", dir);
    struct stat st;
    time_t now = time(NULL);
    if (stat(stamp, &st) == 0 && st.st_mtime > now - DAY)
        return;
    int fd = open(stamp, O_WRONLY | O_CREAT, 0644);
    if (fd < 0)
        return;
    close(fd);
    utimensat(AT_FDCWD, stamp, NULL, 0);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long life = cache_lifetime(e->d_name);
        char *path = arena_printf("%s/%s", dir, e->d_name);
        if (life && lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < now - life)
            unlink(path);
    }
    closedir(d);
}

static int cmd_run(Options *o) {
    uint64_t h = 14695981039346656037ull;
    h = fnv(h, VEX_VERSION, strlen(VEX_VERSION));
    h = fnv(h, VX_SANFLAGS, strlen(VX_SANFLAGS));
    const char *cc = cc_name();
    h = fnv(h, cc, strlen(cc));
    h = fnv(h, o->release ? "R" : "D", 1);
    for (int i = 0; i < o->vx_files.len; i++) {
        SrcFile *f = o->vx_files.items[i];
        h = fnv(h, f->text, f->len);
        h = fnv(h, f->path, strlen(f->path) + 1);
    }
    for (int i = 0; i < o->c_files.len; i++)
        h = hash_file(h, o->c_files.items[i]);
    char *rt = runtime_dir();
    h = hash_file(h, arena_printf("%s/libvexrt.a", rt));
    h = hash_file(h, arena_printf("%s/vexrt.h", rt));
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        struct stat st;
        if (!stat(self, &st)) {
            /* a rebuilt vex: nanoseconds, as two builds may share a second */
            h = fnv(h, &st.st_mtim.tv_sec, sizeof st.st_mtim.tv_sec);
            h = fnv(h, &st.st_mtim.tv_nsec, sizeof st.st_mtim.tv_nsec);
            h = fnv(h, &st.st_size, sizeof st.st_size);
            h = fnv(h, &st.st_ino, sizeof st.st_ino);
        }
    }
    char *dir = cache_dir();
    if (!dir)
        return 1;
    char *deps = arena_printf("%s/%016llx.deps", dir, (unsigned long long)h);
    uint64_t key = h;
    bool known = o->c_files.len == 0 || hash_deps(&key, deps);
    char *exe = arena_printf("%s/%016llx", dir, (unsigned long long)key);
    if (!known || access(exe, X_OK) != 0) {
        char *tmp = arena_printf("%s.tmp%d", exe, (int)getpid());
        doomed[1] = tmp;
        int r = build(o, tmp);
        if (r) {
            unlink(tmp);
            return r;
        }
        if (o->c_files.len) {
            /* If the C compiler cannot list the headers, there is no KEY.deps
             * and every run rebuilds: slow, but never a stale program. */
            key = h;
            if (write_deps(o, deps))
                hash_deps(&key, deps);
            exe = arena_printf("%s/%016llx", dir, (unsigned long long)key);
        }
        rename(tmp, exe);
        doomed[1] = NULL;
        cache_trim(dir);
    } else {
        cache_touch(exe);
        if (o->c_files.len)
            cache_touch(deps);
    }
    char **argv = calloc((size_t)o->prog_argc + 2, sizeof(char *));
    /* argv[0] (os.args()[0]) is the program's name, the first source without
     * .vx, as `vex build` names it, not the hash-named file in the cache. */
    const char *src0 = ((SrcFile *)o->vx_files.items[0])->path;
    argv[0] = arena_strndup(src0, strlen(src0) - 3);
    for (int i = 0; i < o->prog_argc; i++)
        argv[i + 1] = o->prog_argv[i];
    fflush(stdout);
    execv(exe, argv);
    fprintf(stderr, "vex: cannot run %s: %s\n", exe, strerror(errno));
    return 1;
}

static bool ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("vex %s\n", VEX_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    Options o = {0};
    o.cmd = argv[1];
    if (strcmp(o.cmd, "run") && strcmp(o.cmd, "build") && strcmp(o.cmd, "check") && strcmp(o.cmd, "emit-c")) {
        fprintf(stderr, "vex: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    bool is_run = !strcmp(o.cmd, "run");
    int i;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "-o")) {
            if (is_run && o.vx_files.len)
                break; /* -o means nothing to vex run: the program's argument */
            if (is_run || i + 1 >= argc) {
                fprintf(stderr, "vex %s: %s\n", o.cmd,
                        is_run ? "-o is an option of vex build" : "-o needs a file name");
                return 2;
            }
            o.out = argv[++i];
        } else if (!strcmp(a, "--release")) {
            o.release = true;
        } else if (!strcmp(a, "--error-format=json")) {
            diag_set_json(true);
        } else if (!strncmp(a, "--dump=", 7)) {
            o.dump = a + 7;
            if (strcmp(o.dump, "tokens") && strcmp(o.dump, "ast") && strcmp(o.dump, "mir")) {
                fprintf(stderr, "vex: unknown --dump=%s (tokens, ast or mir)\n", o.dump);
                return 2;
            }
        } else if (ends_with(a, ".vx")) {
            size_t len;
            char *text = read_file(a, &len);
            if (!text) {
                fprintf(stderr, "vex: cannot read %s: %s\n", a, strerror(errno));
                return 2;
            }
            SrcFile *f = arena_alloc(sizeof(SrcFile));
            f->path = a;
            f->text = text;
            f->len = len;
            vec_push(&o.vx_files, f);
        } else if (ends_with(a, ".c")) {
            if (access(a, R_OK) != 0) {
                fprintf(stderr, "vex: cannot read %s: %s\n", a, strerror(errno));
                return 2;
            }
            vec_push(&o.c_files, (void *)a);
        } else if (is_run && o.vx_files.len) {
            break; /* the program's own arguments start here */
        } else {
            fprintf(stderr, "vex: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    o.prog_argc = argc - i;
    o.prog_argv = argv + i;
    if (!o.vx_files.len) {
        fprintf(stderr, "vex %s: no .vx file given\n", o.cmd);
        return 2;
    }
    clean_up_on_signals(); /* vex run's exec puts the default actions back */
    if (!strcmp(o.cmd, "check") || o.dump) { /* --dump prints the IR and stops */
        Program prog = {0};
        return compile(&prog, &o, NULL);
    }
    if (!strcmp(o.cmd, "emit-c")) {
        Program prog = {0};
        return compile(&prog, &o, stdout);
    }
    if (!strcmp(o.cmd, "build")) {
        /* the default name: the first source's base name without .vx, in the
         * current directory, or in the directory -o names (as go build -o) */
        const char *p = ((SrcFile *)o.vx_files.items[0])->path;
        const char *base = strrchr(p, '/');
        base = base ? base + 1 : p;
        const char *exe = arena_strndup(base, strlen(base) - 3);
        struct stat dir_st;
        if (o.out && stat(o.out, &dir_st) == 0 && S_ISDIR(dir_st.st_mode))
            exe = arena_printf("%s/%s", o.out, exe);
        else if (o.out)
            exe = o.out;
        /* never overwrite a source with the executable (vex build a.vx -o a.vx) */
        struct stat out_st, src_st;
        if (stat(exe, &out_st) == 0) {
            for (int k = 0; k < o.vx_files.len + o.c_files.len; k++) {
                const char *src = k < o.vx_files.len
                                      ? ((SrcFile *)o.vx_files.items[k])->path
                                      : (const char *)o.c_files.items[k - o.vx_files.len];
                if (stat(src, &src_st) == 0 && src_st.st_dev == out_st.st_dev &&
                    src_st.st_ino == out_st.st_ino) {
                    fprintf(stderr, "vex build: the output %s would overwrite the source %s\n", exe,
                            src);
                    return 2;
                }
            }
        }
        return build(&o, exe);
    }
    return cmd_run(&o);
}
