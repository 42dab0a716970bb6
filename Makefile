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

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wno-format-truncation -D_GNU_SOURCE \
	     -Iinclude -Isrc -I$(OUT) -DMMSCOPE_VERSION='"$(VERSION)"'
# Static release binary: libbpf needs libelf and zlib (and zstd through libelf);
# heatmap pictures use libgd (PNG through libpng), its TUI ncursesw.
STATIC_LIBS := -lbpf -lelf -lgd -lpng -lz -lzstd -ljansson -lncursesw -ltinfo -lm
DYN_LIBS    := -lbpf -lelf -lgd -lpng -lz -ljansson -lncursesw -ltinfo -lm

BPF_SRCS  := $(wildcard src/bpf/*.bpf.c)
SKELS     := $(patsubst src/bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
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

$(OUT)/%.bpf.o: src/bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard src/bpf/*.h)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(OUT) -Isrc/bpf -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(OUT)/obj/%.o: src/%.c $(SRC_HDRS) $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB_INTERNAL): $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(OUT)/libmmscope.syms: scripts/public-symbols.sh $(wildcard include/mmscope/*.h)
	@mkdir -p $(OUT)
	CC="$(CC)" scripts/public-symbols.sh include > $@.tmp && mv $@.tmp $@

$(OUT)/libmmscope.o: $(LIB_OBJS) $(OUT)/libmmscope.syms
	$(LD) -r -o $@.tmp $(LIB_OBJS)
	$(OBJCOPY) --keep-global-symbols=$(OUT)/libmmscope.syms $@.tmp $@ && rm -f $@.tmp

$(OUT)/libmmscope.a: $(OUT)/libmmscope.o
	rm -f $@ && ar rcs $@ $<

$(MMSCOPE): $(CMD_OBJS) $(LIB_INTERNAL)
	$(CC) $(CFLAGS) -static -o $@ $(CMD_OBJS) $(LIB_INTERNAL) $(STATIC_LIBS)

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
	scripts/gen-sysnames.sh $(UAPI_INCLUDE) $(UAPI_X86_INCLUDE) > $@.tmp && mv $@.tmp $@
$(OUT)/obj/lib/trace/sysnames.o $(OUT)/asan/lib/trace/sysnames.o: $(OUT)/sysnames_gen.h
$(OUT)/obj/lib/trace/sysnames.o $(OUT)/asan/lib/trace/sysnames.o: CFLAGS += -DMMS_SYSCALL_ARCH_$(SYSCALL_ARCH)

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
