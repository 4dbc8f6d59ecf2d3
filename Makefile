# rtcbench: one non-recursive Makefile for the platform (ref/), the bench
# (sim/) and the tests. Objects mirror the source tree under $(B)/,
# binaries land in bin/. `make V=1` echoes commands; `make SAN=1` builds
# with ASan+UBSan into build/san.

SHELL    := /bin/bash
SAN      ?= 0
ifeq ($(SAN),1)
B        ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
OPT      ?= -O1 -g
else
B        ?= build
SANFLAGS :=
OPT      ?= -O2 -g
endif
BIN      ?= bin

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS     := sqlite3 inih openssl libpcap jansson libsodium libmicrohttpd \
            libcurl libxml-2.0 zlib libsrtp2 librnp libbzrtp libotr
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC       ?= cc
CFLAGS   += -std=c11 $(OPT) -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter $(SANFLAGS)
ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif
CPPFLAGS += -Iref -Isim -D_POSIX_C_SOURCE=200809L -D_GNU_SOURCE \
            -MMD -MP $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm -lresolv

REF_SRC  := $(filter-out ref/app/%,$(wildcard ref/*/*.c))
# sim/ns3/nat.c is plain C (no ns-3): the in-process network uses it too.
SIM_SRC  := $(filter-out sim/app/% sim/ns3/%,$(wildcard sim/*/*.c)) \
            sim/ns3/nat.c
REF_OBJ  := $(REF_SRC:%.c=$(B)/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(B)/%.o)
APP_SIM  := $(wildcard sim/app/*.c)

# ns-3 shim: built when Debian's libns3-dev is installed (NS3-NOTES.md).
NS3_SRC  := $(wildcard sim/ns3/*.cc)
NS3_HAVE := $(shell test -f /usr/include/ns3/core-module.h && echo 1)
ifeq ($(NS3_HAVE),1)
NS3_OBJ  := $(NS3_SRC:%.cc=$(B)/%.o) \
            $(patsubst %.c,$(B)/%.o,$(filter-out sim/ns3/nat.c,\
                                             $(wildcard sim/ns3/*.c)))
NS3_LIBS := -Wl,--no-as-needed -lns3-point-to-point -lns3-csma \
            -lns3-internet -lns3-traffic-control -lns3-network -lns3-core \
            -Wl,--as-needed -lstdc++
NS3_DEF  := -DHAVE_NS3=1
else
NS3_OBJ  :=
NS3_LIBS :=
NS3_DEF  :=
endif

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/bin/%,$(UNIT_SRC))

BINS     := $(BIN)/refd $(BIN)/refctl $(BIN)/rtcbench
# Test tools (tests/tools/*.c, one binary each): build/tools/NAME.
TOOLS    := $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all deps test check unit unit-san integration fuzz fuzz-smoke run \
        bench lint fmt clean certs
all: $(BINS) $(TOOLS)

# --- Debian packages -------------------------------------------------------
DEB_BUILD := build-essential clang libclang-rt-14-dev pkg-config \
             libsqlite3-dev libinih-dev libssl-dev libpcap-dev libjansson-dev \
             libsodium-dev libmicrohttpd-dev libcurl4-openssl-dev \
             libxml2-dev zlib1g-dev libsrtp2-dev libcmocka-dev libosip2-dev librnp-dev \
             libbzrtp-dev libotr5-dev \
             libns3-dev gnuplot-nox sqlite3 openssl
DEB_PEERS := sip-tester tshark sipvicious kamailio kamailio-sqlite-modules \
             rtpengine-daemon baresip python3 chromium nodejs
deps:
	$(Q)missing=$$(for p in $(DEB_BUILD) $(DEB_PEERS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo 'wireshark-common wireshark-common/install-setuid boolean false' | \
			$$SUDO debconf-set-selections; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $$missing; \
	fi
	$(Q)command -v npm >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || \
		echo sudo ); $$SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends npm; }
	@# tests/web's browser driver, pinned in its package-lock.json; it
	@# never downloads a browser: the tests use Debian's chromium.
	$(Q)if ! [ tests/web/node_modules/.ci-stamp -nt \
		tests/web/package-lock.json ]; then \
		npm ci --prefix tests/web --no-audit --no-fund --loglevel=error && \
		touch tests/web/node_modules/.ci-stamp; fi

# --- compile ---------------------------------------------------------------
# Objects depend on the Makefile too: a flag change must rebuild them.
$(B)/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(NS3_DEF) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.cc Makefile
	@mkdir -p $(@D)
	$(Q)g++ -std=c++17 $(OPT) -Isim -Iref -MMD -MP -c $< -o $@

$(B)/libref.a: $(REF_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/libsim.a: $(SIM_OBJ) $(NS3_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN)/refd: $(B)/ref/app/refd.o $(B)/libref.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BIN)/refctl: $(patsubst %.c,$(B)/%.o,$(wildcard ref/app/refctl*.c)) \
		$(B)/libref.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BIN)/rtcbench: $(APP_SIM:%.c=$(B)/%.o) $(B)/libsim.a $(B)/libref.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) $(NS3_LIBS) -losip2 -losipparser2 -o $@

$(B)/tools/%: $(B)/tests/tools/%.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@

$(B)/tests/bin/%: $(B)/tests/unit/%.o $(B)/libsim.a $(B)/libref.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) $(NS3_LIBS) -lcmocka -o $@

# --- tests -----------------------------------------------------------------
# Unit tests run from the top so fixtures resolve as tests/data/...
unit: $(UNIT_BIN)
	$(Q)set -e; fail=0; for t in $(UNIT_BIN); do \
		timeout 300 $$t >$(B)/tests/$$(basename $$t).log 2>&1 || \
		{ cat $(B)/tests/$$(basename $$t).log; fail=1; \
		  echo "FAILED: $$t"; }; \
	done; \
	[ $$fail = 0 ] && echo "unit: $(words $(UNIT_BIN)) suites passed ($(B))"

check: unit

unit-san:
	$(Q)$(MAKE) --no-print-directory SAN=1 unit

integration: all
	$(Q)tests/integration/run.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory unit-san
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory integration

# --- fuzzing (clang + libFuzzer) -------------------------------------------
FUZZ_B   := build/fuzz
FUZZ_S   ?= 600
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(FUZZ_SRC))
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -g -O1
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(REF_SRC) $(SIM_SRC))

$(FUZZ_B)/obj/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(Q)clang -std=c11 $(FUZZ_FLAGS) -Iref -Isim -D_POSIX_C_SOURCE=200809L \
		-D_GNU_SOURCE $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_B)/libfuzzall.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libfuzzall.a
	$(Q)clang -std=c11 -fsanitize=fuzzer,address,undefined -g -O1 -Iref -Isim \
		-D_POSIX_C_SOURCE=200809L -D_GNU_SOURCE $(PKG_CFLAGS) $^ \
		$(PKG_LIBS) -lpthread -lm -lresolv -o $@

# Each target's seeds: tests/fuzz/corpus/<name>/ (see tests/fuzz/README.md).
define fuzz_run
	$(Q)set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); \
		seeds=tests/fuzz/corpus/$${n#fuzz_}; work=$(FUZZ_B)/work/$$n; \
		mkdir -p $$work; echo "fuzz: $$n for $(1) s"; \
		$$f -max_total_time=$(1) -print_final_stats=0 \
			-artifact_prefix=$(FUZZ_B)/ $$work $$seeds \
			>$(FUZZ_B)/$$n.log 2>&1 || \
		{ tail -40 $(FUZZ_B)/$$n.log; exit 1; }; done
endef

fuzz: $(FUZZ_BIN)
	$(call fuzz_run,$(FUZZ_S))

fuzz-smoke: $(FUZZ_BIN)
	$(call fuzz_run,5)

# --- jobs ------------------------------------------------------------------
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)rm -rf results/latest results/web; rc=0; \
	 $(BIN)/rtcbench run scenarios --out results/latest \
		--junit results/latest/junit.xml || rc=1; \
	 $(BIN)/rtcbench replay traces --out results/latest/replay || rc=1; \
	 if [ -x /usr/bin/chromium ] && [ -d tests/web/node_modules/playwright-core ]; \
	 then echo "run: portal e2e in Chromium, screenshots in results/web/"; \
		mkdir -p results/web; WEB_SHOTS=$$PWD/results/web \
		bash tests/integration/t_web_e2e.sh >results/web/e2e.log 2>&1 || \
		{ rc=1; tail -20 results/web/e2e.log; }; fi; \
	 $(BIN)/rtcbench report results/latest || rc=1; exit $$rc

# Every side-by-side benchmark that exists, each into its own folder, then
# one report; the exit status is 1 if any benchmark's checks failed.
BENCHES := parse relay msrp replay redrive conf load sim proxy
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)rc=0; for b in $(BENCHES); do echo "bench: perf $$b"; \
		$(BIN)/rtcbench perf $$b --out results/bench/$$b || rc=1; \
	done; echo "bench: perf sim --sweep (MOS against loss, setup CDF)"; \
	$(BIN)/rtcbench perf sim --users 200 --calls 50 --duration 20s \
		--sweep --no-baseline --out results/bench/sim-sweep || rc=1; \
	$(BIN)/rtcbench report results/bench || rc=1; exit $$rc

certs:
	$(Q)tests/integration/mkcerts.sh certs

# --- hygiene ---------------------------------------------------------------
CORE_DIRS := ref/base ref/sip ref/sdp ref/rtp ref/msrp ref/vm sim/ua
lint:
	$(Q)if grep -rnE '#include *"(io|inproc|ns3)/' $(CORE_DIRS) 2>/dev/null; \
	then echo "lint: a core includes a driver header"; exit 1; fi
	$(Q)for h in $$(ls ref/*/*.h sim/*/*.h 2>/dev/null); do \
		echo "#include \"$$h\"" | $(CC) $(CPPFLAGS) -I. -x c -fsyntax-only \
			-std=c11 - || { echo "lint: $$h does not compile alone"; \
			exit 1; }; done
	@echo "lint: ok"

fmt:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build bin

.SECONDARY:
-include $(shell find $(B) -name '*.d' 2>/dev/null)
