# runtime/runtime.mk - libvexrt: every runtime/*.c goes into $(RTLIB).
#
# A program linked against libvexrt also needs the libraries of part 4
# (TCP and HTTP): RT_LIBS, after the library on the link line.
RT_LIBS := -lcurl -lhttp_parser -pthread
RT_SRC  := $(wildcard runtime/*.c)
RT_OBJ  := $(RT_SRC:runtime/%.c=$(OBJ)/runtime/%.o)

$(OBJ)/runtime/%.o: runtime/%.c runtime/vexrt.h runtime/rt.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iruntime -c -o $@ $<

$(RTLIB): $(RT_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(RTHDR): runtime/vexrt.h
	@mkdir -p $(@D)
	cp $< $@

# The test build of the runtime: the same sources with the deque shrunk to 4
# slots (VX_DEQUE_CAP=4) so that overflow to the global queue and stealing
# run in every test, and with VX_TEST_HOOKS (park.c's vx__test_hook: a test
# can force an interleaving at a named point). Objects under $(OBJ)/rt-test/, library rt-test.a.
RT_TEST_OBJ := $(RT_SRC:runtime/%.c=$(OBJ)/rt-test/%.o)
RT_TEST_LIB := $(OBJ)/rt-test/libvexrt-test.a

$(OBJ)/rt-test/%.o: runtime/%.c runtime/vexrt.h runtime/rt.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DVX_DEQUE_CAP=4 -DVX_TEST_HOOKS -Iruntime -c -o $@ $<

$(RT_TEST_LIB): $(RT_TEST_OBJ)
	rm -f $@ && ar rcs $@ $^

# tests/runtime/NAME.c -> $(OBJ)/rt-test/bin/NAME
RT_TESTS := $(patsubst tests/runtime/%.c,$(OBJ)/rt-test/bin/%,$(wildcard tests/runtime/*.c))

$(OBJ)/rt-test/bin/%: tests/runtime/%.c tests/runtime/rtest.h tests/runtime/echo_task.h $(RT_TEST_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iruntime -Itests/runtime -o $@ $< $(RT_TEST_LIB) $(LDFLAGS) $(RT_LIBS)

# Tests of a property that only shows with the real 256-slot deque (with 4
# slots every burst overflows to the FIFO global queue): linked against the
# variant's ordinary library instead.
RT_TESTS_REALCAP := io_fair
$(RT_TESTS_REALCAP:%=$(OBJ)/rt-test/bin/%): $(OBJ)/rt-test/bin/%: tests/runtime/%.c tests/runtime/rtest.h tests/runtime/echo_task.h $(RTLIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iruntime -Itests/runtime -o $@ $< $(RTLIB) $(LDFLAGS) $(RT_LIBS)

.PHONY: runtime-tests
runtime-tests: $(RT_TESTS)
	@echo $(RT_TESTS)
