#!/usr/bin/env bash
# The test suite against nnfast's C core built with AddressSanitizer and
# UndefinedBehaviorSanitizer. Any report fails the run.
#
#   bash .ci/sanitize.sh [pytest args]     (default: the whole tests/ folder)
#
# The repository's files (tracked and untracked, not ignored) are copied to a temporary folder, the extension is built
# there in place with -fsanitize=address,undefined, and pytest runs on that copy with the
# ASan runtime preloaded (Python itself is not instrumented). Python's own allocator is
# switched off (PYTHONMALLOC=malloc) so ASan also sees Python objects: a reference-count
# bug that frees an object too early shows as a use-after-free. detect_leaks=0: the
# interpreter keeps memory until exit by design. The memory-flatness tests are left out
# (ASan's quarantine holds freed memory, so RSS grows by design); the reference-count
# tests run. The C library's test is left out too: it builds with make and runs plain C,
# nothing of the extension, and the compilers it starts would inherit the ASan preload. So
# are the wheel tests (NNFAST_TEST_WHEEL, which .ci/run sets): they build and install wheels
# of an unsanitized extension, minutes of pip and compilers under the preload, and test
# packaging, which the plain run covers.
set -euo pipefail
cd "$(dirname "$0")/.."
CC="${CC:-gcc}"
libasan="$("$CC" -print-file-name=libasan.so)"
libubsan="$("$CC" -print-file-name=libubsan.so)"
[ -e "$libasan" ] && [ -e "$libubsan" ] || {
    echo "sanitize: $CC has no libasan/libubsan (Debian: apt-get install gcc)" >&2; exit 1; }
python -c "import setuptools, numpy, pytest, hypothesis" 2>/dev/null ||
    python -m pip install --quiet setuptools numpy pytest hypothesis

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work"
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
(cd "$work" && CC="$CC" CFLAGS="$flags" LDFLAGS="$flags" \
    python setup.py -q build_ext --inplace -j "$(nproc)" 2>&1 | grep -Ev "^(copying|running)" || true)
ls "$work"/nnfast/_core*.so >/dev/null

cd "$work"
export LD_PRELOAD="$libasan $libubsan"
export PYTHONMALLOC=malloc
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export NNFAST_HYPOTHESIS_EXAMPLES="${NNFAST_HYPOTHESIS_EXAMPLES:-20}"
unset NNFAST_TEST_WHEEL
log="$work/sanitize.log"
set +e
# --capture=sys: pytest captures Python's sys.stdout and sys.stderr, not the file descriptors,
# so a sanitizer's report (written to fd 2 by C) reaches the log even when it ends the process
# inside a test, where fd capture would hold and lose it.
python -m pytest -q -p no:cacheprovider --capture=sys -k "not memory_flat and not test_c_library" \
    "${@:-tests}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$log"; then
    echo "sanitize: sanitizer report above" >&2
    exit 1
fi
[ "$rc" -eq 0 ] || { echo "sanitize: pytest failed (rc $rc)" >&2; exit "$rc"; }
echo "sanitize: no reports"
