# dnsdrop - one plain Makefile. `make` builds build/dnsdrop (static, musl).
# `make test` installs what it needs (scripts/deps.sh) and runs every suite.

CC       = musl-gcc
HOSTCC   = gcc
INIH_A   = /usr/lib/x86_64-linux-gnu/libinih.a
VERSION  = 0.1.0

# Warnings are errors in CI (CI=true) and for anyone who asks (WERROR=1).
WERROR   = $(if $(or $(filter true,$(CI)),$(filter 1,$(WERROR_ON))),-Werror)
WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wno-unused-parameter $(WERROR)
HARDEN   = -fstack-protector-strong -D_FORTIFY_SOURCE=2
CFLAGS   = -std=c11 -D_GNU_SOURCE -Os $(WARN) $(HARDEN) \
           -fno-asynchronous-unwind-tables -fno-unwind-tables \
           -ffunction-sections -fdata-sections -Ibuild/include \
           -DDNSDROP_VERSION='"$(VERSION)"'
LDFLAGS  = -static -Wl,--gc-sections -Wl,-z,noexecstack -Wl,-z,relro,-z,now

# Host (glibc) build for unit tests; SAN=1 adds ASan+UBSan.
comma    := ,
SANFLAGS = $(if $(filter 1,$(SAN)),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
HOSTDIR  = build/host$(if $(filter 1,$(SAN)),-san)
HOSTCFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) -Ibuild/include -Isrc \
           -DDNSDROP_VERSION='"$(VERSION)"' $(SANFLAGS)

SRCS     = $(wildcard src/*.c)
OBJS     = $(SRCS:src/%.c=build/obj/%.o)
HOSTOBJS = $(SRCS:src/%.c=$(HOSTDIR)/%.o)
CORE_HOSTOBJS = $(filter-out $(HOSTDIR)/main.o,$(HOSTOBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(HOSTDIR)/%)

.PHONY: all deps test-deps test unit integration demo bench fuzz clean install

all: deps build/dnsdrop

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

build/include/ini.h: /usr/include/ini.h
	@mkdir -p build/include
	cp $< $@

build/obj/%.o: src/%.c build/include/ini.h $(wildcard src/*.h)
	@mkdir -p build/obj
	$(CC) $(CFLAGS) -c -o $@ $<

build/dnsdrop.unstripped: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(INIH_A)

build/dnsdrop: build/dnsdrop.unstripped
	strip -o $@ $<

$(HOSTDIR)/%.o: src/%.c build/include/ini.h $(wildcard src/*.h)
	@mkdir -p $(HOSTDIR)
	$(HOSTCC) $(HOSTCFLAGS) -c -o $@ $<

$(HOSTDIR)/test_%: tests/unit/test_%.c $(CORE_HOSTOBJS) $(wildcard tests/unit/*.h)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $< $(CORE_HOSTOBJS) $(INIH_A) -lcmocka -lresolv

# The host build of the binary itself, for the sanitizer run of the suites.
$(HOSTDIR)/dnsdrop: $(HOSTOBJS)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $(HOSTOBJS) $(INIH_A) -lresolv

unit: test-deps build/include/ini.h $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

integration: test-deps build/dnsdrop
	tests/run.sh build/dnsdrop

test: test-deps all
	$(MAKE) unit
	$(MAKE) integration

demo: all test-deps
	scripts/demo.sh

bench: all test-deps
	tests/bench/bench.sh

clean:
	rm -rf build

install: build/dnsdrop
	install -D -m 0755 build/dnsdrop $(DESTDIR)/tandberg/persistent/dnsdrop/dnsdrop
