/*
 * main.c - the vex command line and the pipeline.
 *
 * compile() is the whole architecture in one screen:
 *   read -> tokenize+parse -> check (names, types) -> own (what may move)
 *        -> lower to MIR -> borrowck (moves, loans) -> async analyses -> emit C
 * and then the C compiler. `--dump=tokens|ast|mir` prints the IR after a
 * stage. `vex run` caches the executable under $XDG_CACHE_HOME/vex (or
 * ~/.cache/vex), keyed by a 128-bit hash (XXH3, libxxhash) of every input,
 * taken before the build: the sources, the headers the .c files include,
 * the vex version and binary, the runtime library, every flag, and the C
 * compiler's identity and version. So an unchanged program starts at once
 * the second time, and a changed input never runs a stale program; the
 * section "the run cache" below says how an entry is kept whole. The
 * cache deletes what was not used for 5 days.
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
#include <xxhash.h>

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
          "  frames FILE.vx...                       each async fn's frame: size, states, saved values\n"
          "  explain CODE                            the long explanation of an error code (E0400)\n"
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

/* Do the sources use the std modules net and http (compiler/std/net.vx)? */
static bool uses_std_net(Options *o) {
    for (int i = 0; i < o->vx_files.len; i++) {
        SrcFile *f = o->vx_files.items[i];
        if (std_wanted(f->text, f->len))
            return true;
    }
    return false;
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
    if (uses_std_net(o)) {
        SrcFile *f = arena_alloc(sizeof(SrcFile));
        f->path = std_net_path;
        f->text = std_net_src;
        f->len = strlen(std_net_src);
        parse_file(prog, f);
    }
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
    async_analyse(mir);
    if (o->dump && !strcmp(o->dump, "frames")) {
        async_frames_report(mir, stdout);
        return 0;
    }
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

/* XXH3-128 (libxxhash) over a sequence of items, each prefixed by its
 * length, so that no two different sequences hash the same bytes. */
static XXH3_state_t *hash_new(void) {
    XXH3_state_t *h = XXH3_createState();
    if (!h) {
        fputs("vex: out of memory\n", stderr);
        exit(1);
    }
    XXH3_128bits_reset(h);
    return h;
}

static void hash_bytes(XXH3_state_t *h, const void *p, size_t n) {
    uint64_t len = n;
    XXH3_128bits_update(h, &len, sizeof len);
    XXH3_128bits_update(h, p, n);
}

static void hash_str(XXH3_state_t *h, const char *s) { hash_bytes(h, s, strlen(s)); }

/* A file's path and contents (or that it could not be read, and why). */
static void hash_file(XXH3_state_t *h, const char *path) {
    size_t len;
    char *d = read_file(path, &len);
    hash_str(h, path);
    if (d) {
        hash_bytes(h, d, len);
        free(d);
    } else {
        hash_bytes(h, &errno, sizeof errno);
    }
}

/* The digest as 32 hex digits (arena). */
static char *hash_hex(XXH3_state_t *h) {
    XXH128_hash_t d = XXH3_128bits_digest(h);
    return arena_printf("%016llx%016llx", (unsigned long long)d.high64,
                        (unsigned long long)d.low64);
}

/* Interrupted (Ctrl-C, kill, timeout) while the C compiler runs, vex stops
 * it and deletes its temp files (the generated C, the half-built program in
 * the cache, a dependency list) before dying of the same signal. The C
 * compiler runs in a process group of its own, so the signal reaches the
 * programs it starts (cc1, as, ld) too, not only the driver. */
static const char *volatile doomed[3];
static volatile pid_t cc_child;

static void on_fatal_signal(int sig) {
    if (cc_child > 0) {
        kill(-cc_child, sig);
        waitpid(cc_child, NULL, 0);
    }
    for (int i = 0; i < 3; i++)
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

/* Runs argv in a process group of its own and waits; its stdout and stderr
 * go to out_fd unless that is -1. The exit status, 128+N after signal N. */
static int run_cmd(char **argv, int out_fd) {
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old); /* no signal before cc_child is known */
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    if (pid > 0) {
        setpgid(pid, pid);
        cc_child = pid;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid == 0) {
        setpgid(0, 0);
        if (out_fd >= 0) {
            dup2(out_fd, 1);
            dup2(out_fd, 2);
        }
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

/* The C compiler must never speak about the C vex generates: what it says
 * (a warning, an error) is a bug of vex, reported as an internal compiler
 * error with the Vex location cc names (the C has #line directives) and the
 * generated C there. out is cc's output, ctext the C. */
static void report_cc_output(const char *out, const char *ctext, int status) {
    /* the first FILE.vx:LINE:COL in the output */
    const char *loc = NULL, *p = out;
    size_t loclen = 0;
    int line = 0;
    while (!loc && (p = strstr(p, ".vx:"))) {
        const char *s = p;
        while (s > out && !strchr(" \n'\"", s[-1]))
            s--;
        const char *q = p + 4;
        int ln = (int)strtol(q, (char **)&q, 10);
        if (ln > 0 && *q == ':') {
            q++;
            while (*q >= '0' && *q <= '9')
                q++;
            loc = s;
            loclen = (size_t)(q - s);
            line = ln;
        }
        p += 4;
    }
    if (status)
        fprintf(stderr, "error: internal compiler error: the C compiler failed on the generated C (status %d)\n",
                status);
    else
        fprintf(stderr, "error: internal compiler error: the C compiler warned about the generated C\n");
    if (loc)
        fprintf(stderr, " --> %.*s\n", (int)loclen, loc);
    fputs("  = note: the C compiler said:\n", stderr);
    int n = 0;
    for (const char *l = out; *l && n < 12; n++) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        fprintf(stderr, "      %.*s\n", (int)len, l);
        l += len + (e != NULL);
    }
    if (loc && ctext) {
        /* the C after the first `#line LINE "FILE"` */
        const char *path = arena_strndup(loc, (size_t)(strstr(loc, ".vx:") + 3 - loc));
        char *dir = arena_printf("#line %d \"%s\"\n", line, path);
        const char *c = strstr(ctext, dir);
        if (c) {
            c += strlen(dir);
            const char *e = strchr(c, '\n');
            fprintf(stderr, "  = note: the generated C there:\n      %.*s\n",
                    (int)(e ? e - c : (long)strlen(c)), c);
        }
    }
    fputs("  = help: this is a bug in vex, not in your program: please report it with the program\n"
          "          (VEX_KEEP_C=1 keeps the generated C file)\n",
          stderr);
}

/* Runs the C compiler (run_cmd's status: 127 if it could not be started);
 * what it prints goes to a temporary file, then to *out (malloc'ed, NULL
 * if it printed nothing). */
static int run_cc(char **argv, char **out) {
    *out = NULL;
    FILE *tmp = tmpfile();
    if (!tmp)
        return run_cmd(argv, -1);
    int r = run_cmd(argv, fileno(tmp));
    off_t len = lseek(fileno(tmp), 0, SEEK_END);
    if (len > 0) {
        *out = calloc(1, (size_t)len + 1);
        lseek(fileno(tmp), 0, SEEK_SET);
        size_t got = 0;
        ssize_t k;
        while (got < (size_t)len && (k = read(fileno(tmp), *out + got, (size_t)len - got)) > 0)
            got += (size_t)k;
    }
    fclose(tmp);
    return r;
}

/* The C compiler's command line for a build of exe from c_path (plus the
 * user's .c files): the run cache's key hashes exactly this list (with
 * placeholders for the two temporary paths), so every flag is in the key.
 * 0 after a message if VEX_CC is empty. */
static int cc_argv(Options *o, const char *rt, const char *c_path, const char *exe, char **argv) {
    int n = cc_words(argv);
    if (n == 0)
        return 0;
    argv[n++] = "-std=gnu11";
    argv[n++] = o->release ? "-O2" : "-O1";
    argv[n++] = "-g";
    argv[n++] = "-Wall";
    argv[n++] = "-Wextra";
    argv[n++] = "-fwrapv";
    argv[n++] = "-fno-strict-aliasing";
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
    if (uses_std_net(o)) { /* net and http: libvexrt's HTTP server and client */
        argv[n++] = "-lcurl";
        argv[n++] = "-lhttp_parser";
    }
    argv[n++] = "-lpthread";
    argv[n++] = "-lm";
    argv[n] = NULL;
    return n;
}

/* Compiles the generated C (c_path, text ctext) plus the user's .c files
 * into exe. What the C compiler says about the user's .c files, or about a
 * C function an `extern "C"` declares but no file defines, reaches the user
 * as it is; anything it says about vex's C is an internal compiler error. */
static int cc_build(Options *o, const char *c_path, const char *ctext, const char *exe) {
    char *rt = runtime_dir();
    if (!runtime_present(rt))
        return 1;
    char *argv[256];
    if (cc_argv(o, rt, c_path, exe, argv) == 0)
        return 1;
    char *said;
    int r = run_cc(argv, &said);
    /* linking is about the user's C: a missing or doubly defined function */
    bool link = said && (strstr(said, "ld returned") || strstr(said, "linker command failed"));
    bool ours = said && (strstr(said, c_path) || strstr(said, ".vx:")) && !link;
    if (ours || (r != 0 && r != 127 && !said)) {
        report_cc_output(said ? said : "(nothing)", ctext, r);
    } else if (said) {
        fputs(said, stderr);
        if (r != 0 && r != 127)
            fprintf(stderr, "vex: the C compiler failed (status %d)\n", r);
    }
    free(said);
    return r != 0 || ours;
}

/* $XDG_CACHE_HOME/vex (an absolute XDG_CACHE_HOME only, as the XDG spec
 * says), else $HOME/.cache/vex; created if missing. NULL if it cannot be
 * used, with *why saying why (vex run then builds in a temporary directory
 * instead: a cache is an optimisation, never a reason not to run). */
static char *cache_dir(char **why) {
    const char *x = getenv("XDG_CACHE_HOME");
    char *d;
    if (x && x[0] == '/')
        d = arena_printf("%s/vex", x);
    else {
        /* Never a shared fallback like /tmp/.cache: anyone could plant the
         * program vex runs there. Go's build cache refuses the same way. */
        const char *home = getenv("HOME");
        if (!home || home[0] != '/') {
            *why = arena_printf("the run cache needs $XDG_CACHE_HOME or $HOME (neither is set "
                                "to an absolute path)");
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
    struct stat st;
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        *why = arena_printf("cannot create the build cache %s: %s", d, strerror(errno));
        return NULL;
    }
    if (stat(d, &st) != 0) {
        *why = arena_printf("cannot use the build cache %s: %s", d, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        *why = arena_printf("cannot use the build cache %s: not a directory", d);
        return NULL;
    }
    if (access(d, W_OK | X_OK) != 0) {
        *why = arena_printf("cannot use the build cache %s: %s", d, strerror(errno));
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
    bool cut = ferror(mem) != 0;
    if (fclose(mem) != 0)
        cut = true;
    if (!r && cut) { /* the C was cut short (memory ran out): never build it */
        fprintf(stderr, "vex: the generated C could not be written in full (out of memory?)\n");
        r = 1;
    }
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
    if (!ok) {
        fprintf(stderr, "vex: cannot write %s: %s\n", cpath, strerror(errno));
        r = 1;
    } else {
        r = cc_build(o, cpath, ctext, exe);
    }
    free(ctext);
    doomed[0] = NULL;
    if (!keep)
        unlink(cpath);
    else
        fprintf(stderr, "vex: generated C kept in %s\n", cpath);
    return r;
}

/* ---- the run cache ----
 * An entry is two files in the cache directory, named by the key K (32 hex
 * digits): K, the executable, and K.sum, "SIZE HASH" of K (HASH its XXH3-128
 * as 32 hex digits). Both are written to a temporary file, flushed to disk
 * (fsync) and renamed into place, the executable first; the directory is
 * flushed after. Before running K, vex opens it, checks its size and hash
 * against K.sum, and runs that very file (fexecve of the checked fd), so an
 * entry cut short by a crash or a full disk, or damaged in any way, is
 * rebuilt, never run. Two builds of one key may race: each rename is
 * atomic, and a K that does not match K.sum for a moment is only rebuilt.
 *
 * The key is taken BEFORE the build, over every input (see cmd_run), and
 * again after it over every input the C compiler read from disk: if a file
 * changed meanwhile, the program runs but is not stored, so a file saved
 * during a build can never leave an old program under a new key.
 *
 * The headers of the user's .c files. The C compiler lists them (-M, with
 * the system headers) before the build into B.deps, B the key of
 * everything else; a later run hashes the files B.deps lists into the key,
 * so editing a header rebuilds. A run that finds no B.deps lists them
 * first. */

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

/* Writes data to path through a temporary file, flushed to disk and renamed
 * into place; the directory entry is flushed too. False (errno set) if any
 * step failed; nothing is left behind then. */
static bool write_atomic(const char *dir, const char *path, const char *data, size_t len) {
    char *tmp = arena_printf("%s.tmp%d", path, (int)getpid());
    doomed[2] = tmp;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    for (size_t off = 0; ok && off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        off += ok ? (size_t)n : 0;
    }
    int e = errno;
    if (fd >= 0 && (fsync(fd) != 0 || close(fd) != 0) && ok) {
        e = errno;
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        e = errno;
        ok = false;
    }
    if (!ok)
        unlink(tmp);
    doomed[2] = NULL;
    if (ok) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    errno = e;
    return ok;
}

/* The files every .c file includes (cc -M), one a line, into list. False
 * if the C compiler could not say. */
static bool list_headers(Options *o, const char *scratch, Buf *list) {
    char *mf = arena_printf("%s.mm%d", scratch, (int)getpid());
    for (int i = 0; i < o->c_files.len; i++) {
        char *argv[120];
        int n = cc_words(argv);
        if (n == 0)
            return false;
        argv[n++] = "-std=gnu11"; /* as the build: what it includes may depend on it */
        argv[n++] = arena_printf("-I%s", runtime_dir());
        argv[n++] = "-M";
        argv[n++] = "-MF";
        argv[n++] = mf;
        argv[n++] = o->c_files.items[i];
        argv[n] = NULL;
        size_t len;
        doomed[2] = mf;
        char *rule = run_cmd(argv, -1) == 0 ? read_file(mf, &len) : NULL;
        unlink(mf);
        doomed[2] = NULL;
        if (!rule)
            return false;
        rule_files(rule, len, list);
        free(rule);
    }
    return true;
}

/* Hashes the path and contents of every file of list (one a line). */
static void hash_listed(XXH3_state_t *h, const char *list, size_t len) {
    char *d = arena_strndup(list, len);
    for (char *line = d; line < d + len;) {
        char *nl = memchr(line, '\n', (size_t)(d + len - line));
        if (!nl)
            break;
        *nl = 0;
        hash_file(h, line);
        line = nl + 1;
    }
}

/* Size and XXH3-128 of the file open at fd (read from its start). */
static bool digest_fd(int fd, uint64_t *size, char **hex) {
    XXH3_state_t *h = hash_new();
    char buf[65536];
    uint64_t total = 0;
    bool ok = lseek(fd, 0, SEEK_SET) == 0;
    for (ssize_t n; ok && (n = read(fd, buf, sizeof buf)) != 0;) {
        if (n < 0) {
            ok = errno == EINTR;
            continue;
        }
        XXH3_128bits_update(h, buf, (size_t)n);
        total += (uint64_t)n;
    }
    XXH128_hash_t d = XXH3_128bits_digest(h);
    XXH3_freeState(h);
    *size = total;
    *hex = arena_printf("%016llx%016llx", (unsigned long long)d.high64,
                        (unsigned long long)d.low64);
    return ok;
}

/* An fd of the entry exe if it is whole (its size and hash those K.sum
 * records), else -1. */
static int open_entry(const char *exe) {
    size_t len;
    char *sum = read_file(arena_printf("%s.sum", exe), &len);
    if (!sum)
        return -1;
    unsigned long long want_size = 0;
    char want_hex[33] = "";
    bool parsed = sscanf(sum, "%llu %32[0-9a-f]", &want_size, want_hex) == 2;
    free(sum);
    if (!parsed)
        return -1;
    int fd = open(exe, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    uint64_t size;
    char *hex;
    if (fstat(fd, &st) != 0 || (unsigned long long)st.st_size != want_size ||
        !digest_fd(fd, &size, &hex) || size != want_size || strcmp(hex, want_hex) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Stores the built program tmp, open at fd, as the entry exe: flushed to
 * disk and renamed, then exe.sum written. False if tmp could not be renamed
 * (it is still there then). */
static bool store_entry(const char *dir, int fd, const char *tmp, const char *exe) {
    uint64_t size;
    char *hex;
    if (!digest_fd(fd, &size, &hex) || fsync(fd) != 0 || rename(tmp, exe) != 0)
        return false;
    char *line = arena_printf("%llu %s\n", (unsigned long long)size, hex);
    write_atomic(dir, arena_printf("%s.sum", exe), line, strlen(line)); /* else: a miss */
    return true;
}

/* Runs the program open at fd (argv as given); returns only on failure,
 * after a message. */
static int exec_fd(int fd, const char *path, char **argv) {
    extern char **environ;
    fflush(stdout);
    fexecve(fd, argv, environ);
    if (errno == ENOENT || errno == ENOSYS) /* no /proc: the path it was */
        execv(path, argv);
    fprintf(stderr, "vex: cannot run %s: %s\n", path, strerror(errno));
    return 1;
}

/* ---- keeping the run cache small ----
 * As Go's build cache does: a hit refreshes the entry's mtime (at most once
 * an hour, so hits stay cheap); at most once a day (the mtime of the file
 * `trimmed`) a miss deletes the entries unused for 5 days and the temp files
 * of builds that were interrupted over an hour ago. Only names vex makes are
 * touched: 32 hex digits (16 before issue 12's 128-bit keys), then nothing,
 * `.deps` or `.sum`, then a temp suffix or nothing. */
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
    size_t hex = strspn(name, "0123456789abcdef");
    if (hex != 16 && hex != 32)
        return 0;
    const char *rest = name + hex;
    if (!strncmp(rest, ".deps", 5) || !strncmp(rest, ".sum", 4))
        rest += rest[1] == 'd' ? 5 : 4;
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

/* The C compiler's identity and version into h: its words, the file its
 * program resolves to (through PATH and symbolic links) with that file's
 * size, modification time and inode, and everything `CC --version` prints
 * (and its exit status). So another compiler behind the same name, or an
 * upgraded one, rebuilds. */
static void hash_cc(XXH3_state_t *h) {
    char *argv[120];
    int n = cc_words(argv);
    for (int i = 0; i < n; i++)
        hash_str(h, argv[i]);
    if (n == 0)
        return;
    char *prog = NULL;
    if (strchr(argv[0], '/')) {
        prog = argv[0];
    } else {
        const char *path = getenv("PATH");
        char *dirs = arena_strndup(path ? path : "/usr/bin:/bin", strlen(path ? path : "/usr/bin:/bin"));
        for (char *d = strtok(dirs, ":"); d && !prog; d = strtok(NULL, ":")) {
            char *cand = arena_printf("%s/%s", *d ? d : ".", argv[0]);
            if (access(cand, X_OK) == 0)
                prog = cand;
        }
    }
    char real[PATH_MAX];
    struct stat st;
    if (prog && realpath(prog, real) && stat(real, &st) == 0) {
        hash_str(h, real);
        hash_bytes(h, &st.st_size, sizeof st.st_size);
        hash_bytes(h, &st.st_mtim, sizeof st.st_mtim);
        hash_bytes(h, &st.st_ino, sizeof st.st_ino);
        hash_bytes(h, &st.st_dev, sizeof st.st_dev);
    }
    argv[n++] = "--version";
    argv[n] = NULL;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return;
    }
    cc_child = pid;
    char buf[4096];
    for (ssize_t k; (k = read(p[0], buf, sizeof buf)) != 0;)
        if (k > 0)
            hash_bytes(h, buf, (size_t)k);
        else if (errno != EINTR)
            break;
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    cc_child = 0;
    hash_bytes(h, &status, sizeof status);
}

/* Every input of the build that the C compiler reads from disk: the
 * user's .c files, the runtime, and (list) the headers. Hashed before the
 * build and again after it. */
static char *hash_disk_inputs(Options *o, const char *rt, const Buf *list) {
    XXH3_state_t *h = hash_new();
    for (int i = 0; i < o->c_files.len; i++)
        hash_file(h, o->c_files.items[i]);
    hash_file(h, arena_printf("%s/libvexrt.a", rt));
    hash_file(h, arena_printf("%s/vexrt.h", rt));
    if (list && list->len)
        hash_listed(h, list->data, list->len);
    char *hex = hash_hex(h);
    XXH3_freeState(h);
    return hex;
}

/* The key of an entry: B, and the hash of the files on disk. */
static char *entry_key(const char *base, const char *disk) {
    XXH3_state_t *h = hash_new();
    hash_str(h, base);
    hash_str(h, disk);
    char *hex = hash_hex(h);
    XXH3_freeState(h);
    return hex;
}

/* Builds the program into a private temporary directory and runs it from
 * there (the file is deleted before it runs): for when the cache cannot be
 * used. */
static int run_uncached(Options *o, char **argv) {
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    char *dir = arena_printf("%s/vex-run-XXXXXX", tmpdir);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "vex: cannot create a temporary directory in %s: %s\n", tmpdir,
                strerror(errno));
        return 1;
    }
    char *exe = arena_printf("%s/prog", dir);
    doomed[1] = exe;
    int r = build(o, exe);
    int fd = r ? -1 : open(exe, O_RDONLY | O_CLOEXEC);
    unlink(exe);
    rmdir(dir);
    doomed[1] = NULL;
    if (r)
        return r;
    if (fd < 0) {
        fprintf(stderr, "vex: cannot open the program just built: %s\n", strerror(errno));
        return 1;
    }
    return exec_fd(fd, exe, argv);
}

static int cmd_run(Options *o) {
    char **argv = arena_alloc(sizeof(char *) * ((size_t)o->prog_argc + 2)); /* zeroed */
    /* argv[0] (os.args()[0]) is the program's name, the first source without
     * .vx, as `vex build` names it, not the hash-named file in the cache. */
    const char *src0 = ((SrcFile *)o->vx_files.items[0])->path;
    argv[0] = arena_strndup(src0, strlen(src0) - 3);
    for (int i = 0; i < o->prog_argc; i++)
        argv[i + 1] = o->prog_argv[i];

    char *why = NULL;
    char *dir = cache_dir(&why);
    if (!dir) {
        fprintf(stderr, "vex: %s; building in a temporary directory instead\n", why);
        return run_uncached(o, argv);
    }
    /* The key of everything but the headers, B: the sources (as read, the
     * text compile() will see), the C compiler's command line, identity and
     * version, the environment variables it reads, vex itself, and the
     * files the C compiler reads. */
    char *rt = runtime_dir();
    XXH3_state_t *h = hash_new();
    hash_str(h, "vex run cache 2");
    hash_str(h, VEX_VERSION);
    hash_str(h, VX_SANFLAGS);
    for (int i = 0; i < o->vx_files.len; i++) {
        SrcFile *f = o->vx_files.items[i];
        hash_str(h, f->path);
        hash_bytes(h, f->text, f->len);
    }
    char *ccv[256];
    int ccn = cc_argv(o, rt, "<generated.c>", "<program>", ccv);
    for (int i = 0; i < ccn; i++)
        hash_str(h, ccv[i]);
    hash_cc(h);
    static const char *cc_env[] = {"CPATH", "C_INCLUDE_PATH", "LIBRARY_PATH", "GCC_EXEC_PREFIX",
                                   "COMPILER_PATH", "SOURCE_DATE_EPOCH"};
    for (size_t i = 0; i < sizeof cc_env / sizeof cc_env[0]; i++) {
        const char *v = getenv(cc_env[i]);
        hash_str(h, v ? arena_printf("%s=%s", cc_env[i], v) : cc_env[i]);
    }
    if (self_exe[0]) {
        struct stat st;
        if (!stat(self_exe, &st)) {
            /* a rebuilt vex: nanoseconds, as two builds may share a second */
            hash_bytes(h, &st.st_mtim, sizeof st.st_mtim);
            hash_bytes(h, &st.st_size, sizeof st.st_size);
            hash_bytes(h, &st.st_ino, sizeof st.st_ino);
        }
    }
    char *base = hash_hex(h);
    XXH3_freeState(h);
    char *deps = arena_printf("%s/%s.deps", dir, base);

    /* The headers: those the last build listed, if any. */
    Buf list = {0};
    bool known = true;
    if (o->c_files.len) {
        size_t len;
        char *d = read_file(deps, &len);
        known = d != NULL;
        if (d) {
            buf_put(&list, d, len);
            free(d);
        }
    }
    char *before = hash_disk_inputs(o, rt, &list);
    char *exe = arena_printf("%s/%s", dir, entry_key(base, before));
    int fd = known ? open_entry(exe) : -1;
    if (fd >= 0) {
        buf_free(&list);
        cache_touch(exe);
        cache_touch(arena_printf("%s.sum", exe));
        if (o->c_files.len)
            cache_touch(deps);
        return exec_fd(fd, exe, argv);
    }

    /* A miss. List the headers now, before the build, and take the key
     * over what they hold now. */
    if (o->c_files.len) {
        list.len = 0;
        if (list_headers(o, deps, &list)) {
            if (!write_atomic(dir, deps, list.data ? list.data : "", list.len)) {
                fprintf(stderr, "vex: cannot write to the build cache %s: %s; building in a "
                                "temporary directory instead\n", dir, strerror(errno));
                buf_free(&list);
                return run_uncached(o, argv);
            }
            before = hash_disk_inputs(o, rt, &list);
        } else {
            /* The C compiler cannot list the headers: no B.deps, and every
             * run rebuilds (slow, but never a stale program). */
            unlink(deps);
        }
        exe = arena_printf("%s/%s", dir, entry_key(base, before));
    }
    char *tmp = arena_printf("%s.tmp%d", exe, (int)getpid());
    doomed[1] = tmp;
    int tfd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (tfd < 0) {
        doomed[1] = NULL;
        buf_free(&list);
        fprintf(stderr, "vex: cannot write to the build cache %s: %s; building in a temporary "
                        "directory instead\n", dir, strerror(errno));
        return run_uncached(o, argv);
    }
    close(tfd);
    int r = build(o, tmp);
    if (r) {
        unlink(tmp);
        doomed[1] = NULL;
        buf_free(&list);
        return r;
    }
    fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "vex: cannot open the program just built: %s\n", strerror(errno));
        unlink(tmp);
        doomed[1] = NULL;
        buf_free(&list);
        return 1;
    }
    /* Store it only if no input changed during the build (and the headers
     * are known); else run this build once and forget it. */
    char *after = hash_disk_inputs(o, rt, &list);
    buf_free(&list);
    bool same = !strcmp(before, after);
    bool whole = same && (o->c_files.len == 0 || access(deps, R_OK) == 0);
    if (whole && store_entry(dir, fd, tmp, exe)) {
        cache_trim(dir);
    } else {
        if (!same)
            fputs("vex: a source file changed during the build: this build is run but not "
                  "cached\n", stderr);
        unlink(tmp); /* fd keeps the file for the exec */
        exe = tmp;
    }
    doomed[1] = NULL;
    return exec_fd(fd, exe, argv);
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
    if (!strcmp(argv[1], "explain"))
        return explain_code(argc == 3 ? argv[2] : NULL);
    Options o = {0};
    o.cmd = argv[1];
    if (!strcmp(o.cmd, "frames")) {
        o.cmd = "check";
        o.dump = "frames";
    }
    if (strcmp(o.cmd, "run") && strcmp(o.cmd, "build") && strcmp(o.cmd, "check") && strcmp(o.cmd, "emit-c")) {
        const char *cmds[] = {"run", "build", "check", "emit-c", "help", "version", "explain"};
        const char *best = did_you_mean(o.cmd, cmds, 7);
        if (best)
            fprintf(stderr, "vex: unknown command `%s`; did you mean `%s`?\n", o.cmd, best);
        else
            fprintf(stderr, "vex: unknown command `%s` (the commands: run, build, check, emit-c, explain, help; "
                            "`vex help` says more)\n", o.cmd);
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
            struct stat st;
            if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
                fprintf(stderr, "vex %s: %s is a directory; expected a .vx file\n", o.cmd, a);
                return 2;
            }
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
            struct stat st;
            if (a[0] == '-')
                fprintf(stderr, "vex %s: unknown option `%s` (`vex help` lists them)\n", o.cmd, a);
            else if (stat(a, &st) == 0 && S_ISDIR(st.st_mode))
                fprintf(stderr, "vex %s: %s is a directory; expected a .vx file\n", o.cmd, a);
            else
                fprintf(stderr, "vex %s: expected a .vx file, found `%s`\n", o.cmd, a);
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
        int r = compile(&prog, &o, stdout);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "vex emit-c: cannot write the generated C: %s\n", strerror(errno));
            return 1;
        }
        return r;
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
