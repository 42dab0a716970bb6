# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets, one per procfs/sysfs parser (fuzz/fuzz_<parser>.c, found by
# wildcard), built with clang, ASan and UBSan against the library sources compiled
# the same way, all under $(OUT)/fuzz/. Seeds are the recorded fixtures, committed
# small under fuzz/corpus/<parser>/ and only read; what a run discovers goes to
# $(OUT)/fuzz/corpus/<parser>/, a crashing input to $(OUT)/fuzz/crashes/, the
# libFuzzer output to $(OUT)/fuzz/<parser>.log.
#
#   make fuzz                                  build every target
#   make fuzz-run [FUZZ_SECONDS=60] [FUZZERS="psi vmstat"]
#                                              run each for FUZZ_SECONDS, one after the
#                                              other; fails if any crashed or broke an
#                                              invariant (fuzz/fuzz.h)
#   $(OUT)/fuzz/fuzz_psi CRASH_FILE            replay one input

FUZZ_CC      ?= $(CLANG)
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 16384
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# clang knows no -Wformat-truncation; -O1 keeps ASan reports readable and runs fast.
FUZZ_CFLAGS   = $(filter-out -O2 -Wno-format-truncation,$(CFLAGS)) -O1 $(FUZZ_SAN)
FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZERS      ?= $(FUZZ_NAMES)
FUZZ_BINS    := $(patsubst %,$(OUT)/fuzz/fuzz_%,$(FUZZ_NAMES))
FUZZ_OBJS    := $(patsubst src/%.c,$(OUT)/fuzz/obj/%.o,$(LIB_SRCS))

.PHONY: fuzz fuzz-run

# The library with coverage instrumentation but no main: targets pull what they use.
$(OUT)/fuzz/obj/%.o: src/%.c $(SRC_HDRS) | $(SKELS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(OUT)/fuzz/libmmscope-fuzz.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(OUT)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(OUT)/fuzz/libmmscope-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(OUT)/fuzz/libmmscope-fuzz.a \
		$(DYN_LIBS)

fuzz: $(FUZZ_BINS)

# One line per target: runs, seconds, result. -timeout turns a hang into a finding.
FUZZ_RUN_FLAGS = -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) -timeout=10 \
		 -print_final_stats=1
fuzz-run: $(FUZZ_BINS)
	@mkdir -p $(OUT)/fuzz/crashes; fail=0; \
	for f in $(FUZZERS); do \
		mkdir -p $(OUT)/fuzz/corpus/$$f; \
		log=$(OUT)/fuzz/$$f.log; start=$$(date +%s); \
		$(OUT)/fuzz/fuzz_$$f $(OUT)/fuzz/corpus/$$f fuzz/corpus/$$f $(FUZZ_RUN_FLAGS) \
			-artifact_prefix=$(OUT)/fuzz/crashes/$$f- >$$log 2>&1; \
		rc=$$?; secs=$$(( $$(date +%s) - start )); \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
		if [ $$rc = 0 ]; then \
			echo "fuzz $$f: ok, $${runs:-?} runs in $$secs s"; \
		else \
			why=$$(grep -m 1 -E 'ERROR|invariant' $$log); \
			echo "fuzz $$f: FAILED (exit $$rc) after $$secs s: $$why"; \
			echo "  input in $(OUT)/fuzz/crashes/, log $$log"; fail=1; \
		fi; \
	done; exit $$fail
