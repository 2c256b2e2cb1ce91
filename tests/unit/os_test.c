/*
 * os_test.c - os.args (program name first, owned copies), os.env (a
 * string, or NULL when unset).
 */
#include <stdlib.h>

#include "check.h"

int main(void) {
    GROUP("args");
    char *argv[] = {"prog", "a b", "", "\xc3\xa9", NULL};
    vx_os_init(4, argv);
    vx_vec a = vx_os_args();
    vx_str **s = a.data;
    CHECK(a.len == 4);
    if (a.len == 4) {
        expect_bytes(__FILE__, __LINE__, s[0]->ptr, s[0]->len, "prog");
        expect_bytes(__FILE__, __LINE__, s[1]->ptr, s[1]->len, "a b");
        expect_bytes(__FILE__, __LINE__, s[2]->ptr, s[2]->len, "");
        expect_bytes(__FILE__, __LINE__, s[3]->ptr, s[3]->len, "\xc3\xa9");
    }
    vx_vec_str_free(&a);
    vx_os_init(0, NULL);
    a = vx_os_args();
    CHECK(a.len == 0);
    vx_vec_str_free(&a);
    END();

    GROUP("env");
    setenv("VX_OS_TEST", "value=1", 1);
    setenv("VX_OS_EMPTY", "", 1);
    unsetenv("VX_OS_UNSET");
    vx_str *name = vx_str_from_cstr("VX_OS_TEST");
    EXPECT_STR(vx_os_env(name), "value=1");
    vx_str_release(name);
    name = vx_str_from_cstr("VX_OS_EMPTY");
    EXPECT_STR(vx_os_env(name), "");
    vx_str_release(name);
    name = vx_str_from_cstr("VX_OS_UNSET");
    CHECK(vx_os_env(name) == NULL);
    vx_str_release(name);
    END();
    return finish();
}
