# hb-run: a plain Makefile. `make deps` installs what the build needs on Debian,
# `make test-deps` what the tests need too; `make test` runs them all, also under
# AddressSanitizer and UndefinedBehaviorSanitizer.

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/hb-run
LIBEXECDIR ?= $(PREFIX)/libexec/hb-run
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/hb-run
PKG_CONFIG ?= pkg-config

PKGS       = inih libcjson
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN       = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-missing-field-initializers
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# hb-run-http alone links libcurl: hb-run never loads it.
HTTP_PKGS  = libcjson libcurl
HTTP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(HTTP_PKGS) 2>/dev/null)
HTTP_LIBS  = $(shell $(PKG_CONFIG) --libs $(HTTP_PKGS) 2>/dev/null)
ALL_CPPFLAGS = -I. -D_GNU_SOURCE -DHB_VERSION='"$(VERSION)"' \
             -DHB_TEMPLATEDIR='"$(DATADIR)/templates"' -DHB_LIBEXECDIR='"$(LIBEXECDIR)"' \
             $(CPPFLAGS)
ALL_CFLAGS = -std=gnu11 $(WARN) $(PKG_CFLAGS) $(CFLAGS)

# Debian packages: to build, and to run the tests.
DEB_BUILD  = gcc make pkg-config libinih-dev libcjson-dev libcurl4-openssl-dev
DEB_TEST   = bats faketime libfaketime procps python3 python3-croniter tzdata strace valgrind time \
             hyperfine clang libclang-rt-14-dev cron python3-yaml apprise curl chromium git jq \
             openssl
# The agent-CLI template folders under templates/, installed to $(DATADIR)/templates/ (and
# kubernetes/, the CronJob, beside them).
AGENT_TEMPLATES = claude codex gemini opencode demo
SUDO       = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

LIB_SRC    = checks/builtin.c delivery/target.c delivery/ping.c agents/output.c tasks/duration.c tasks/schedule.c tasks/heartbeat.c tasks/budget.c tasks/names.c tasks/tz.c tasks/cron.c tasks/hours.c \
             state/fileio.c state/state.c state/log.c state/text.c state/activity.c checks/monitor.c \
             runner/msg.c runner/platform.c runner/util.c runner/trust.c runner/zone.c \
             runner/config.c runner/reply.c runner/supervise.c runner/plan.c runner/claim.c \
             runner/budget.c runner/job.c runner/check.c runner/deliver.c runner/outbox.c runner/ping.c runner/record.c runner/tick.c runner/health.c runner/oneshot.c \
             cmd/status.c cmd/log.c cmd/report.c cmd/next.c cmd/check.c \
             cmd/init.c cmd/install.c cmd/pause.c cmd/oneshot.c
SRC        = $(LIB_SRC) runner/main.c
# The model APIs' pure modules (request bodies, replies, transcripts): hb-run-http and the
# unit tests link them.
API_SRC    = agents/llm.c agents/openai.c agents/anthropic.c state/transcript.c
HTTP_SRC   = http/hb-run-http.c http/fetch.c http/post.c $(API_SRC) state/fileio.c state/text.c
HDR        = $(wildcard checks/*.h delivery/*.h tasks/*.h state/*.h runner/*.h cmd/*.h agents/*.h http/*.h)
OBJ        = $(SRC:%.c=build/%.o)
HTTP_OBJ   = $(HTTP_SRC:%.c=build/%.o)
UNIT_SRC   = $(wildcard tests/unit/*.c)

.PHONY: all check-http-pkgs portable test unit system bench bench-cron fuzz demo deps test-deps install uninstall clean check-pkgs FORCE

# `make PORTABLE=1` builds (and installs) the portable build instead: see `make portable`.
ifeq ($(PORTABLE),1)
EXE        = build/portable/hb-run
else
EXE        = hb-run
endif

all: $(EXE) hb-run-http

check-pkgs:
	@$(PKG_CONFIG) --exists $(PKGS) || { \
	  echo "hb-run: missing libraries ($(PKGS)); run 'make deps' first" >&2; exit 1; }

check-http-pkgs:
	@$(PKG_CONFIG) --exists $(HTTP_PKGS) || { \
	  echo "hb-run: missing libraries ($(HTTP_PKGS)); run 'make deps' first" >&2; exit 1; }

hb-run: $(OBJ) | check-pkgs
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(PKG_LIBS) $(LDLIBS)

build/%.o: %.c $(HDR) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

hb-run-http: $(HTTP_OBJ) | check-http-pkgs
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(HTTP_OBJ) $(HTTP_LIBS) -lm $(LDLIBS)

build/http/%.o: http/%.c $(HDR) Makefile | check-http-pkgs
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(HTTP_CFLAGS) -c -o $@ $<

# The templates and libexec folders are compiled in: a build for another PREFIX must rebuild
# what uses them.
build/datadir.stamp: FORCE
	@mkdir -p build
	@echo '$(DATADIR) $(LIBEXECDIR)' | cmp -s - $@ || echo '$(DATADIR) $(LIBEXECDIR)' >$@
build/runner/tick.o build/runner/job.o: build/datadir.stamp
FORCE:

# The portable build: runner/platform.c's fallback forced (-DHB_PORTABLE), which is what macOS
# and the BSDs run, built on Linux into build/portable/ so that it is tested here too.
PORT_OBJ   = $(SRC:%.c=build/portable/%.o)
portable: build/portable/hb-run build/portable/unit-tests

build/portable/hb-run: $(PORT_OBJ) | check-pkgs
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(PORT_OBJ) $(PKG_LIBS) $(LDLIBS)

build/portable/%.o: %.c $(HDR) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DHB_PORTABLE $(ALL_CFLAGS) -c -o $@ $<
build/portable/runner/tick.o build/portable/runner/job.o: build/datadir.stamp

build/portable/unit-tests: $(UNIT_SRC) $(LIB_SRC) $(API_SRC) $(HDR) tests/unit/unit.h | check-pkgs
	@mkdir -p build/portable
	$(CC) $(ALL_CPPFLAGS) -DHB_PORTABLE $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(UNIT_SRC) $(LIB_SRC) \
	  $(API_SRC) $(PKG_LIBS)

# Unit tests link the modules (not main) into one table-driven test binary.
build/unit-tests: $(UNIT_SRC) $(LIB_SRC) $(API_SRC) $(HDR) tests/unit/unit.h | check-pkgs
	@mkdir -p build
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(UNIT_SRC) $(LIB_SRC) $(API_SRC) \
	  $(PKG_LIBS)

# The same programs with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_FLAGS  = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
build/asan/hb-run: $(SRC) $(HDR) | check-pkgs
	@mkdir -p build/asan
	$(CC) $(ALL_CPPFLAGS) -std=gnu11 $(WARN) $(PKG_CFLAGS) $(SAN_FLAGS) -o $@ $(SRC) $(PKG_LIBS)
build/asan/hb-run-http: $(HTTP_SRC) $(HDR) | check-http-pkgs
	@mkdir -p build/asan
	$(CC) $(ALL_CPPFLAGS) -std=gnu11 $(WARN) $(HTTP_CFLAGS) $(SAN_FLAGS) -o $@ $(HTTP_SRC) \
	  $(HTTP_LIBS) -lm
build/asan/unit-tests: $(UNIT_SRC) $(LIB_SRC) $(API_SRC) $(HDR) | check-pkgs
	@mkdir -p build/asan
	$(CC) $(ALL_CPPFLAGS) -std=gnu11 $(WARN) $(PKG_CFLAGS) $(SAN_FLAGS) -o $@ $(UNIT_SRC) \
	  $(LIB_SRC) $(API_SRC) $(PKG_LIBS)

test: hb-run hb-run-http build/unit-tests build/asan/hb-run build/asan/hb-run-http \
      build/asan/unit-tests build/portable/hb-run \
      build/portable/unit-tests
	@HB_PORTABLE_BIN=build/portable/hb-run tests/run-all.sh

unit: build/unit-tests
	build/unit-tests

system: hb-run
	bats tests/system

bench: hb-run hb-run-http
	bench/tick.sh
	bench/scale.sh
	bench/http.sh
	bench/agents.sh
	bench/deliver.sh
	bench/report.sh
	bench/batch.sh
	bench/checks.sh

bench-cron: hb-run
	bench/cron.sh

# libFuzzer on every parser of outside input, FUZZ_TIME seconds each (make test runs 5).
FUZZ_TIME ?= 60
fuzz:
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh

# The main job on the shipped example, with the demo agent (no agent CLI needed).
demo: hb-run
	@tests/demo.sh

deps:
	@tests/deps.sh $(DEB_BUILD)

test-deps:
	@tests/deps.sh $(DEB_BUILD) $(DEB_TEST)
	@tests/agents/install.sh

install: $(EXE) hb-run-http
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(DOCDIR) $(AGENT_TEMPLATES:%=$(DESTDIR)$(DATADIR)/templates/%) \
	  $(DESTDIR)$(DATADIR)/templates/kubernetes
	install -m 755 $(EXE) $(DESTDIR)$(BINDIR)/hb-run
	install -m 755 hb-run-http $(DESTDIR)$(LIBEXECDIR)/hb-run-http
	for t in $(AGENT_TEMPLATES); do \
	  install -m 755 templates/$$t/*.sh $(DESTDIR)$(DATADIR)/templates/$$t/ || exit 1; \
	done
	install -m 644 templates/kubernetes/cronjob.yaml $(DESTDIR)$(DATADIR)/templates/kubernetes/
	install -m 644 man/hb-run.1 $(DESTDIR)$(MANDIR)/man1/hb-run.1
	install -m 644 man/heartbeat.md.5 $(DESTDIR)$(MANDIR)/man5/heartbeat.md.5
	install -m 644 HEARTBEAT.md hb-run.ini crontab.example README.md $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hb-run $(DESTDIR)$(MANDIR)/man1/hb-run.1 \
	  $(DESTDIR)$(MANDIR)/man5/heartbeat.md.5
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR)

clean:
	rm -rf build hb-run hb-run-http
