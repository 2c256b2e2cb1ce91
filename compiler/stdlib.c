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
 * A scan of the text outside comments and string literals. The std's
 * other types (IoError, Response) come with the modules; a program that
 * does not use them may define types of those names. */
static bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool std_wanted(const char *text, size_t len) {
    static const char *const words[] = {"net.", "http.", "TcpListener", "TcpStream", "HttpConn"};
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '/' && i + 1 < len && text[i + 1] == '/') { /* a line comment */
            while (i < len && text[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < len && text[i + 1] == '*') { /* a block comment */
            i += 2;
            while (i + 1 < len && !(text[i] == '*' && text[i + 1] == '/'))
                i++;
            i++;
            continue;
        }
        if (c == '"') { /* a string literal (f-strings too) */
            for (i++; i < len && text[i] != '"'; i++)
                if (text[i] == '\\')
                    i++;
            continue;
        }
        if (!ident_char(c) || (i > 0 && ident_char(text[i - 1])))
            continue;
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            size_t n = strlen(words[w]);
            if (i + n <= len && !memcmp(text + i, words[w], n) &&
                (words[w][n - 1] == '.' || i + n == len || !ident_char(text[i + n])))
                return true;
        }
    }
    return false;
}
