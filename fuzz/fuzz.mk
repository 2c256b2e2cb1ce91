# fuzz/fuzz.mk - `make fuzz`: libFuzzer over the front end (vex check).
#
# Every compiler/*.c is rebuilt with clang and -fsanitize=fuzzer-no-link,
# address,undefined into build/fuzz/ (main.c with its main() renamed, so
# the target can link it for vexc_check_source), then linked with
# fuzz/fuzz_check.c into build/fuzz/fuzz_check, and fuzz/run.sh runs it
# for FUZZ_SECONDS (default 60) over a corpus seeded from tests/ and
# examples/. See fuzz/README.md.
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g -std=c11 -D_GNU_SOURCE $(WARN) -pthread $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link
FUZZ_OBJ     := $(CC_SRC:compiler/%.c=$(FUZZ_DIR)/compiler/%.o)
FUZZ_BIN     := $(FUZZ_DIR)/fuzz_check

.PHONY: fuzz-build
fuzz: $(FUZZ_BIN)
	FUZZ_BIN=$(FUZZ_BIN) sh fuzz/run.sh
fuzz-build: $(FUZZ_BIN)

$(FUZZ_DIR)/compiler/prelude.inc: compiler/prelude.h
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(FUZZ_DIR)/compiler/emit.o: $(FUZZ_DIR)/compiler/prelude.inc

$(FUZZ_DIR)/compiler/std_net.inc: compiler/std/net.vx
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(FUZZ_DIR)/compiler/stdlib.o: $(FUZZ_DIR)/compiler/std_net.inc

$(FUZZ_DIR)/compiler/main.o: compiler/main.c compiler/vexc.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Dmain=vex_cli_main -Wno-missing-prototypes \
	    -Icompiler -c -o $@ $<

$(FUZZ_DIR)/compiler/%.o: compiler/%.c compiler/vexc.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icompiler -I$(FUZZ_DIR)/compiler -c -o $@ $<

$(FUZZ_BIN): fuzz/fuzz_check.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Icompiler -o $@ $^ -lxxhash
