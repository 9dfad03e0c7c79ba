#!/usr/bin/env bash
# Build the libFuzzer harness for nnfast's C core (every C file under csrc/ but the Python
# binding and the example programs, with AddressSanitizer and UndefinedBehaviorSanitizer),
# replay every input in fuzz/regressions/ (each once crashed or misled a kernel), then fuzz.
#   fuzz/run.sh [SECONDS]   fuzz for SECONDS (default 60), corpus in fuzz/corpus (not in git)
# Extra libFuzzer options go in FUZZ_ARGS, e.g. FUZZ_ARGS="-jobs=2 -workers=2".
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
CC="${CC:-clang}"
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

out="build/fuzz"
mkdir -p "$out" fuzz/corpus
sources=()
while IFS= read -r f; do sources+=("$f"); done < <(
    find csrc -name '*.c' ! -path 'csrc/py/*' ! -path 'csrc/examples/*' | sort)
sources+=(fuzz/fuzz_kernels.c)
cflags=(-g -O2 -std=c11 -ffp-contract=fast -pthread -Icsrc
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
    -fsanitize-recover=pointer-overflow)
# One compile per file, a core each: a single compiler call would build them one after another.
# The SIMD files leave out the pointer-overflow check: with it and AddressSanitizer, clang 14
# took 450 s over csrc/isa/avx512.c (two thirds in the code generation of the unrolled
# outer_rows, dense_backward.inc), without it 44 s. generic.c, built from the same templates,
# keeps the check, and .ci/sanitize.sh's gcc build runs the tests with gcc's (wrap-around,
# not clang's NULL + offset) on every file.
object_of() { local f="${1//\//_}"; echo "$out/obj/${f%.c}.o"; }
compile() {
    local extra=()
    case "$1" in csrc/isa/avx2.c | csrc/isa/avx512.c) extra=(-fno-sanitize=pointer-overflow) ;; esac
    "$CC" "${cflags[@]}" "${extra[@]}" -c "$1" -o "$(object_of "$1")"
}
export -f object_of compile
export CC out
export CFLAGS_LIST="${cflags[*]}"
mkdir -p "$out/obj"
printf '%s\0' "${sources[@]}" |
    xargs -0 -n 1 -P "$(nproc)" bash -c 'cflags=($CFLAGS_LIST); compile "$0"'
objects=()
for f in "${sources[@]}"; do objects+=("$(object_of "$f")"); done
"$CC" "${cflags[@]}" "${objects[@]}" -lm -o "$out/fuzz_kernels"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
# pointer-overflow is recoverable only so that fuzz/ubsan.supp can silence known, reported
# reports; halt_on_error still stops at every other one.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=fuzz/ubsan.supp}"
regressions=(fuzz/regressions/*)
if [ -e "${regressions[0]}" ]; then
    echo "fuzz: replaying ${#regressions[@]} regression input(s) from fuzz/regressions/"
    "$out/fuzz_kernels" -runs=1 "${regressions[@]}"
fi
# shellcheck disable=SC2086
"$out/fuzz_kernels" -max_total_time="$seconds" -max_len=4096 -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$out/" ${FUZZ_ARGS:-} fuzz/corpus fuzz/seeds
