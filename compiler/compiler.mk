# compiler/compiler.mk - bin/vex: every compiler/*.c, one header compiler/vexc.h.
CC_SRC  := $(wildcard compiler/*.c)
CC_OBJ  := $(CC_SRC:compiler/%.c=$(OBJ)/compiler/%.o)

# A sanitized vex builds sanitized programs: it passes VX_SANFLAGS to the C compiler.
$(OBJ)/compiler/%.o: compiler/%.c compiler/vexc.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DVX_SANFLAGS='"$(SANFLAGS)"' -Icompiler -c -o $@ $<

$(VEX): $(CC_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
