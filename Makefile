# SPDX-License-Identifier: GPL-2.0
# mmscope build: vmlinux.h from the running kernel's BTF -> BPF objects (clang) ->
# skeletons (bpftool) -> the library's objects -> one statically linked `mmscope`,
# and the public libmmscope.a (only include/mmscope/*.h's functions global).
# Everything generated lands in $(OUT); nothing generated is committed.
# Sources are found by wildcard so adding a file never means editing this file.

OUT       := build
MMSCOPE   := mmscope
CC        ?= gcc
CLANG     ?= clang
OBJCOPY   ?= objcopy
BPFTOOL   ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
# The release number of `make dist` and `mmscope -V` (the commit comes from git).
RELEASE   := 0.1.0
COMMIT    := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

# Target CPU: x86_64 (native) or arm64, cross-built with Debian's
# gcc-aarch64-linux-gnu against arm64 libraries unpacked into ARM64_SYSROOT
# (scripts/install-deps.sh --arm64; this machine's apt configuration is left
# alone). Everything of an arm64 build lands in build/arm64/, its binary too.
ARCH      ?= x86_64
ARM64_SYSROOT ?= /var/cache/mmscope-cross/arm64
ifeq ($(ARCH),x86_64)
BPF_ARCH  := x86
else ifeq ($(ARCH),arm64)
BPF_ARCH  := arm64
OUT       := build/arm64
MMSCOPE   := $(OUT)/mmscope
CC        := aarch64-linux-gnu-gcc
LD        := aarch64-linux-gnu-ld
AR        := aarch64-linux-gnu-ar
OBJCOPY   := aarch64-linux-gnu-objcopy
CROSS_FLAGS := -isystem $(ARM64_SYSROOT)/usr/include -isystem $(ARM64_SYSROOT)/usr/include/aarch64-linux-gnu \
	       -L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu
# Defined here, before the object rule below names it: make expands a rule's
# prerequisites when it reads the rule, so a later definition left the objects
# without the sysroot and a fresh machine's arm64 link found no libraries.
CROSS_SYSROOT := $(ARM64_SYSROOT)/.complete
else
$(error ARCH=$(ARCH): x86_64 or arm64)
endif

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wno-format-truncation -D_GNU_SOURCE \
	     -Iinclude -Isrc -I$(OUT) -DMMSCOPE_VERSION='"$(VERSION)"' $(CROSS_FLAGS) \
	     -DMMSCOPE_RELEASE='"$(RELEASE)"' -DMMSCOPE_COMMIT='"$(COMMIT)"' -DMMSCOPE_ARCH='"$(ARCH)"'
# Static release binary: libbpf needs libelf and zlib (and zstd through libelf);
# heatmap pictures use libgd (PNG through libpng), its TUI ncursesw.
STATIC_LIBS := -lbpf -lelf -lgd -lpng -lz -lzstd -ljansson -lncursesw -ltinfo -lm
DYN_LIBS    := -lbpf -lelf -lgd -lpng -lz -ljansson -lncursesw -ltinfo -lm
# export serves HTTP with libmicrohttpd (TLS through gnutls and its crypto libraries;
# Debian has no static libp11-kit: src/cmd/export/p11kit_stub.c), reads its
# web-config.yml with libyaml and checks bcrypt passwords with libcrypt (libxcrypt).
STATIC_LIBS += -lmicrohttpd -lgnutls -lhogweed -lnettle -lgmp -ltasn1 -lidn2 -lunistring \
	       -lyaml -lcrypt -latomic -lpthread
DYN_LIBS    += -lmicrohttpd -lyaml -lcrypt -lpthread

BPF_SRCS  := $(wildcard src/bpf/*.bpf.c)
SKELS     := $(patsubst src/bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
# Sources that name MMS_BPF_NO_CMPXCHG are built a second time with it defined
# (X_nocas.skel.h): the loader falls back to that build when the kernel's
# verifier refuses compare-and-swap (BPF atomics came with 5.12).
NOCAS_SRCS := $(shell grep -l MMS_BPF_NO_CMPXCHG $(BPF_SRCS))
SKELS     += $(patsubst src/bpf/%.bpf.c,$(OUT)/%_nocas.skel.h,$(NOCAS_SRCS))
# The library, one folder per domain (src/lib/<domain>/); the binary adds the
# commands and their views (src/cmd/, src/output/), which libmmscope never holds.
LIB_SRCS  := $(wildcard src/lib/*/*.c)
LIB_OBJS  := $(patsubst src/%.c,$(OUT)/obj/%.o,$(LIB_SRCS))
CMD_SRCS  := $(wildcard src/*.c src/cmd/*.c src/cmd/*/*.c src/output/*.c)
CMD_OBJS  := $(patsubst src/%.c,$(OUT)/obj/%.o,$(CMD_SRCS))
SRC_HDRS  := $(wildcard include/mmscope/*.h src/*.h src/*/*.h src/*/*/*.h)
# Two archives of the same objects: libmmscope-internal.a as compiled (the binary,
# unit tests and benchmarks use functions of src/lib/**/*.h), and the public
# libmmscope.a, one object partially linked from them all in which only the
# functions include/mmscope/*.h declares stay global (the list: $(OUT)/libmmscope.syms,
# from scripts/public-symbols.sh); libbpf, libelf, ... stay for the user's link.
LIB_INTERNAL := $(OUT)/libmmscope-internal.a

.SECONDARY:
.PHONY: all deps deps-test test test-unit test-asan test-integration fuzz clean print-static-libs
all: $(MMSCOPE) $(OUT)/libmmscope.a

deps:
	@scripts/install-deps.sh
deps-test:
	@scripts/install-deps.sh --test

$(OUT)/vmlinux.h:
	@mkdir -p $(OUT)
	@test -r $(VMLINUX_BTF) || { echo "no kernel BTF at $(VMLINUX_BTF): set VMLINUX_BTF" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

# One vmlinux.h, from the build machine's BTF, for both targets: every kernel
# type is read through CO-RE relocations, resolved at load time against the
# running kernel's own BTF, so an arm64 build needs no arm64 BTF.
# -D__TARGET_ARCH_arm64 makes PT_REGS_* read arm64's registers; the one arm64
# type they name that an x86_64 vmlinux.h lacks (struct user_pt_regs) is declared
# in src/bpf/pt_regs.bpf.h (MMS_VMLINUX_ARCH_* says whose vmlinux.h it is).
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -DMMS_VMLINUX_ARCH_$(shell uname -m) -I$(OUT) -Isrc/bpf
$(OUT)/%.bpf.o: src/bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard src/bpf/*.h)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%_nocas.bpf.o: src/bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard src/bpf/*.h)
	$(CLANG) $(BPF_CFLAGS) -DMMS_BPF_NO_CMPXCHG -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(OUT)/obj/%.o: src/%.c $(SRC_HDRS) $(SKELS) | $(CROSS_SYSROOT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# mmscope -V names the commit: main.o is rebuilt when it changes ($(OUT)/.commit
# is rewritten only then).
$(shell mkdir -p $(OUT) && echo '$(RELEASE) $(COMMIT)' | cmp -s - $(OUT)/.commit || echo '$(RELEASE) $(COMMIT)' > $(OUT)/.commit)
$(OUT)/obj/main.o: $(OUT)/.commit

$(OUT)/obj/cmd/export/p11kit_stub.o: CFLAGS += -I/usr/include/p11-kit-1

$(LIB_INTERNAL): $(LIB_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(OUT)/libmmscope.syms: scripts/public-symbols.sh $(wildcard include/mmscope/*.h)
	@mkdir -p $(OUT)
	CC="$(CC)" scripts/public-symbols.sh include > $@.tmp && mv $@.tmp $@

$(OUT)/libmmscope.o: $(LIB_OBJS) $(OUT)/libmmscope.syms
	$(LD) -r -o $@.tmp $(LIB_OBJS)
	$(OBJCOPY) --keep-global-symbols=$(OUT)/libmmscope.syms $@.tmp $@ && rm -f $@.tmp

$(OUT)/libmmscope.a: $(OUT)/libmmscope.o
	rm -f $@ && $(AR) rcs $@ $<

$(MMSCOPE): $(CMD_OBJS) $(LIB_INTERNAL)
	$(CC) $(CFLAGS) -static -o $@ $(CMD_OBJS) $(LIB_INTERNAL) $(STATIC_LIBS)

# The arm64 libraries, fetched once per package list (scripts/arm64-sysroot.sh).
ifeq ($(ARCH),arm64)
# Asked every run (cheap when done): the sysroot's own list says whether it is
# current, which a file date cannot (the cache outlives checkouts).
$(CROSS_SYSROOT): FORCE
	@ARM64_SYSROOT=$(ARM64_SYSROOT) scripts/install-deps.sh --arm64
endif
.PHONY: FORCE
FORCE:

# Release artifacts: both static binaries, stripped, named by release and CPU,
# with their SHA256SUMS, in build/dist/. Each is built by its own make run (the
# ARCH of one run decides OUT, CC and the BPF target).
DIST := build/dist
.PHONY: dist
dist:
	$(MAKE) ARCH=x86_64 mmscope
	$(MAKE) ARCH=arm64 build/arm64/mmscope
	rm -rf $(DIST) && mkdir -p $(DIST)
	strip -o $(DIST)/mmscope-$(RELEASE)-x86_64 mmscope
	aarch64-linux-gnu-strip -o $(DIST)/mmscope-$(RELEASE)-arm64 build/arm64/mmscope
	cd $(DIST) && sha256sum mmscope-$(RELEASE)-x86_64 mmscope-$(RELEASE)-arm64 > SHA256SUMS
	$(DIST)/mmscope-$(RELEASE)-x86_64 -V | grep -q '^mmscope $(RELEASE) (commit .*, x86_64)$$'
	@cat $(DIST)/SHA256SUMS

# What a static link against libmmscope.a needs after it (tests/integration/t0070).
print-static-libs:
	@echo $(STATIC_LIBS)

# Syscall and errno names, generated from the kernel's UAPI headers (linux-libc-dev)
# for every architecture; SYSCALL_ARCH picks the table that names native calls.
SYSCALL_ARCH ?= $(if $(filter arm64 aarch64,$(ARCH)),arm64,x86_64)
UAPI_INCLUDE ?= /usr/include
UAPI_X86_INCLUDE ?= $(UAPI_INCLUDE)/x86_64-linux-gnu
$(OUT)/sysnames_gen.h: scripts/gen-sysnames.sh
	@mkdir -p $(OUT)
	scripts/gen-sysnames.sh $(UAPI_INCLUDE) $(UAPI_X86_INCLUDE) $(UAPI_ARM_INCLUDE) > $@.tmp && mv $@.tmp $@
$(OUT)/obj/lib/trace/sysnames.o $(OUT)/asan/lib/trace/sysnames.o: $(OUT)/sysnames_gen.h
$(OUT)/obj/lib/trace/sysnames.o $(OUT)/asan/lib/trace/sysnames.o: CFLAGS += -DMMS_SYSCALL_ARCH_$(SYSCALL_ARCH)
# arm64: AArch32 compat calls named from the arm (EABI) table, armhf's UAPI
# headers fetched once (scripts/armhf-uapi.sh).
ARMHF_UAPI ?= /var/cache/mmscope-cross/armhf-uapi
ifeq ($(ARCH),arm64)
UAPI_ARM_INCLUDE ?= $(ARMHF_UAPI)/usr/include/arm-linux-gnueabihf
$(OUT)/sysnames_gen.h: $(ARMHF_UAPI)/.complete
$(ARMHF_UAPI)/.complete:
	scripts/armhf-uapi.sh $(ARMHF_UAPI)
endif

include tests/tests.mk
include fuzz/fuzz.mk
-include tests/vm/vm.mk
-include tests/workloads/workloads.mk
-include bench/bench.mk
-include bench/trace.mk
-include bench/alloc.mk
-include bench/heatmap.mk
-include bench/syscalls.mk

clean:
	rm -rf $(OUT) $(MMSCOPE)
