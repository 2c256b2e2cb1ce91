/*
 * stdlib.c - the std modules written in Vex (compiler/std/net.vx): the types
 * of `net` and `http` (IoError, HttpError, Request, Response) and the
 * methods that need no C.
 * The operations themselves (await net.connect(addr), s.read(n), ...) are
 * rows of builtins.c: each is a suspension point whose op frame lives in
 * the caller's frame. The builtins' C templates fill in these structs
 * field by field (prelude.h: VXC_IOERR, VXC_HTTP_RESPONSE, ...), so a
 * field or variant changed here must change there too; the enums list
 * their variants in the order of libvexrt's VX_IOK_* and VX_HTTPK_*.
 *
 * main.c parses this source after the user's files when they name one of
 * the modules or its types (std_wanted): other programs do not see these
 * names (a user's own `Response` stays theirs) and do not link libcurl.
 */
#include <string.h>

#include "vexc.h"

const char std_net_path[] = "<std>/net.vx";

/* compiler/std/net.vx as a C string (compiler.mk) */
const char std_net_src[] =
#include "std_net.inc"
    ;

/* Does the program use the modules: `net.` or `http.`, or a handle type?
 * A textual scan (a mention in a comment only costs a parse). The std's
 * other types (IoError, Response) come with the modules; a program that
 * does not use them may define types of those names. */
bool std_wanted(const char *text, size_t len) {
    static const char *const words[] = {"net.", "http.", "TcpListener", "TcpStream", "HttpConn"};
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ||
            (i > 0 && (text[i - 1] == '_' || (text[i - 1] >= '0' && text[i - 1] <= '9') ||
                       (text[i - 1] >= 'a' && text[i - 1] <= 'z') || (text[i - 1] >= 'A' && text[i - 1] <= 'Z'))))
            continue;
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            size_t n = strlen(words[w]);
            if (i + n <= len && !memcmp(text + i, words[w], n)) {
                char d = i + n < len ? text[i + n] : ' ';
                if (words[w][n - 1] == '.' ||
                    !((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') || d == '_'))
                    return true;
            }
        }
    }
    return false;
}
