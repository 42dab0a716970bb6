// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_smaps_rollup() (a "[rollup]" header, then kB lines
 * that become bytes) and mms_kv_get(); the checks are fuzz_kvset()'s.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_kvset(mms_parse_smaps_rollup, data, size);
}
