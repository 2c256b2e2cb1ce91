# compiler/compiler.mk - bin/vex: every compiler/*.c, one header compiler/vexc.h.
# compiler/prelude.h (the C every generated program starts with) is turned
# into a C string literal, $(OBJ)/compiler/prelude.inc, included by emit.c;
# compiler/std/net.vx (the std modules net and http) likewise, by stdlib.c.
CC_SRC  := $(wildcard compiler/*.c)
CC_OBJ  := $(CC_SRC:compiler/%.c=$(OBJ)/compiler/%.o)

$(OBJ)/compiler/prelude.inc: compiler/prelude.h
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(OBJ)/compiler/emit.o: $(OBJ)/compiler/prelude.inc

# The std modules written in Vex (compiler/std/*.vx), the same way.
$(OBJ)/compiler/std_net.inc: compiler/std/net.vx
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(OBJ)/compiler/stdlib.o: $(OBJ)/compiler/std_net.inc

# A sanitized vex builds sanitized programs: it passes VX_SANFLAGS to the C compiler.
$(OBJ)/compiler/%.o: compiler/%.c compiler/vexc.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DVX_SANFLAGS='"$(SANFLAGS)"' -Icompiler -I$(OBJ)/compiler -c -o $@ $<

$(VEX): $(CC_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lxxhash
