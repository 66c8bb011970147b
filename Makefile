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
# -fno-pie: the static binary is ET_EXEC (not PIE) anyway, and PIE code
# costs 1.5 KiB more.
CFLAGS   = -std=c11 -D_GNU_SOURCE -Oz -fno-pie $(WARN) $(HARDEN) -DDNSDROP_OWN_PRINTF \
           -fno-asynchronous-unwind-tables -fno-unwind-tables \
           -ffunction-sections -fdata-sections -Ibuild/include $(INCS) \
           -DDNSDROP_VERSION='"$(VERSION)"'
# lld lays out the R, R+X and RW segments without padding the file to page
# boundaries (GNU ld pads 4-12 KiB) and, with -O2, tail-merges strings;
# --no-dynamic-linker keeps the PT_INTERP that musl-gcc's specs ask for out
# of a static binary.
LDFLAGS  = -static -no-pie -fuse-ld=lld -Wl,--no-dynamic-linker -Wl,-O2 \
           -Wl,--gc-sections -Wl,-z,noexecstack -Wl,-z,relro,-z,now

# Host (glibc) build for unit tests; SAN=1 adds ASan+UBSan.
comma    := ,
SANFLAGS = $(if $(filter 1,$(SAN)),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
HOSTDIR  = build/host$(if $(filter 1,$(SAN)),-san)
HOSTCFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) -Ibuild/include $(INCS) \
           -DDNSDROP_VERSION='"$(VERSION)"' $(SANFLAGS)

# src/core: pure (INI -> records -> text -> diff, dnsmasq syntax); src/sys:
# the world (disk, processes, DNS, syslog); src/cmd: the commands and the
# one apply protocol. check-core proves the core reaches nothing outside.
DIRS     = core sys cmd
INCS     = $(DIRS:%=-Isrc/%)
HDRS     = $(wildcard src/*/*.h)
SRCS     = $(wildcard src/*/*.c)
OBJS     = $(SRCS:src/%.c=build/obj/%.o)
CORE_OBJS = $(filter build/obj/core/%,$(OBJS))
HOSTOBJS = $(SRCS:src/%.c=$(HOSTDIR)/%.o)
CORE_HOSTOBJS = $(filter-out $(HOSTDIR)/cmd/main.o,$(HOSTOBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(HOSTDIR)/%)

.PHONY: all deps test-deps check-core test compat unit integration twin sanitize valgrind lint demo bench fuzz clean install

all: deps build/dnsdrop

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

build/include/ini.h: /usr/include/ini.h
	@mkdir -p build/include
	cp $< $@

build/obj/%.o: src/%.c build/include/ini.h $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

build/dnsdrop.unstripped: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(INIH_A)

build/dnsdrop: build/dnsdrop.unstripped
	strip -o $@ $<

$(HOSTDIR)/%.o: src/%.c build/include/ini.h $(HDRS)
	@mkdir -p $(@D)
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

# The appliance twin: the static binary on an appliance built from mount,
# net and pid namespaces and a chroot (read-only root, busybox, dnsmasq on
# 127.0.0.1:53), with its default paths. Needs root; fails if it cannot.
twin: test-deps build/dnsdrop
	DNSDROP_BIN=$(CURDIR)/build/dnsdrop bats --tap tests/twin/twin.bats

# The sanitizer build (ASan+UBSan, system gcc) runs the unit tests and the
# integration suites that reach every code path of the binary; the others
# (ssh, ansible, strace matrices) test the same code through the same paths.
SAN_SUITES = golden apply import hostile trust window
sanitize: test-deps build/include/ini.h
	$(MAKE) SAN=1 unit build/host-san/dnsdrop
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/run.sh build/host-san/dnsdrop $(SAN_SUITES)

valgrind: all build/host/dnsdrop test-deps
	tests/valgrind.sh

# Static checkers, at the settings recorded here; every finding fails.
CPPCHECK = cppcheck --quiet --enable=warning,portability,performance --std=c11 \
           --inline-suppr --error-exitcode=1 -D_GNU_SOURCE -DDNSDROP_OWN_PRINTF -Ibuild/include $(INCS)
# Left out: style the code uses on purpose (`!strcmp`, sizeof of pointer
# arrays in qsort calls, int/char conversions of checked values) and
# clang 14's false positive on va_start'ed lists.
TIDY_CHECKS = -*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,$\
              -bugprone-reserved-identifier,-bugprone-narrowing-conversions,$\
              -bugprone-implicit-widening-of-multiplication-result,$\
              -bugprone-suspicious-string-compare,-bugprone-sizeof-expression,$\
              -clang-analyzer-valist.Uninitialized,$\
              -clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
SHELL_FILES = scripts/*.sh scripts/dnsdrop-completion.bash tests/*.sh tests/lib/*.bash \
              tests/bench/*.sh $(wildcard tests/fuzz/*.sh) tests/twin/*.bash tests/twin/dnsmasq.init \
              tests/compat/*.sh
lint: test-deps build/include/ini.h
	$(CPPCHECK) $(SRCS)
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(SRCS) -- \
		-std=c11 -D_GNU_SOURCE -DDNSDROP_OWN_PRINTF -Ibuild/include $(INCS) -DDNSDROP_VERSION='"lint"'
	shellcheck -x $(SHELL_FILES)
	shellcheck -x -s bash -e SC2030,SC2031 tests/integration/*.bats tests/twin/*.bats \
		tests/compat/*.bats
	mandoc -Tlint -W warning src/cmd/dnsdrop.8

# The core may not reach the world: its objects reference no I/O, process,
# socket, time or exit symbol (tests/check_core.sh holds the list).
check-core: build/dnsdrop
	tests/check_core.sh $(CORE_OBJS)

test: test-deps all
	$(MAKE) check-core
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) sanitize
	$(MAKE) valgrind
	$(MAKE) lint
	$(MAKE) fuzz FUZZ_SECONDS=30
	$(MAKE) twin

# Every dnsmasq an appliance may have (tests/compat/run.sh): builds each
# release archive of DNSMASQ_SRC into build/dnsmasq/VERSION (cached), runs
# the compatibility checks and the sandbox suites against each and against
# the system's, prints the matrix; fails on any difference not explained.
DNSMASQ_SRC ?= ../shared/dnsmasq
compat: all test-deps
	tests/compat/run.sh $(DNSMASQ_SRC)

demo: all test-deps
	scripts/demo.sh

bench: all test-deps
	tests/bench/bench.sh

# libFuzzer over the pure core (load -> validate -> render) with ASan+UBSan,
# and dnsmasq as the oracle for what it accepts. FUZZ_SECONDS=N runs longer.
FUZZ_SECONDS ?= 60
fuzz: all test-deps
	tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build

install: build/dnsdrop
	install -D -m 0755 build/dnsdrop $(DESTDIR)/tandberg/persistent/dnsdrop/dnsdrop
