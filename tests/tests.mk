# SPDX-License-Identifier: GPL-2.0
# Tests: cmocka unit tests (tests/unit/test_*.c, one binary each, fed recorded
# fixtures), the same unit tests built with ASan+UBSan, and integration tests
# (tests/integration/t[0-9]*.sh) that run the real binary on the real kernel.
# `make test` runs all three and prints the closing line "N passed, N failed".

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
ASAN_BINS   := $(patsubst tests/unit/%.c,$(OUT)/tests/asan/%,$(UNIT_SRCS))
ASAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_OBJS   := $(patsubst src/%.c,$(OUT)/asan/%.o,$(LIB_SRCS))
TEST_CFLAGS  = $(CFLAGS) -Itests/unit -DFIXTURES='"$(CURDIR)/tests/fixtures"'

# The unit tests reach internal functions too: the internal archive, not libmmscope.a.
$(OUT)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIB_INTERNAL) $(DYN_LIBS) -lcmocka

$(OUT)/asan/%.o: src/%.c $(SRC_HDRS) $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c $< -o $@

$(OUT)/libmmscope-asan.a: $(ASAN_OBJS)
	rm -f $@ && ar rcs $@ $^

$(OUT)/tests/asan/%: tests/unit/%.c tests/unit/unit.h $(OUT)/libmmscope-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(ASAN_FLAGS) -o $@ $< $(OUT)/libmmscope-asan.a $(DYN_LIBS) -lcmocka

# The unit test binaries and their ASan builds, without running them (.ci/run builds
# them on both cores before `make test`).
.PHONY: test-bins
test-bins: $(UNIT_BINS) $(ASAN_BINS)

test-unit: $(UNIT_BINS)
	@tests/run.sh unit $(UNIT_BINS)
test-asan: $(ASAN_BINS)
	@tests/run.sh unit $(ASAN_BINS)
test-integration: $(MMSCOPE) $(OUT)/libmmscope.a workloads
	@tests/run.sh integration tests/integration/t[0-9]*.sh

# The README's test command: dependencies, build, every test, one closing line.
test: deps-test $(MMSCOPE) $(OUT)/libmmscope.a workloads $(UNIT_BINS) $(ASAN_BINS)
	@tests/run.sh all $(UNIT_BINS) $(ASAN_BINS) tests/integration/t[0-9]*.sh
