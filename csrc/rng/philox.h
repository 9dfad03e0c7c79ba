/* rng/philox.h: Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC 2011): four 32-bit words from a 128-bit
 * counter and a 64-bit key, each word a function of (counter, key) alone, so any element of a
 * stream is drawn without drawing the ones before it.
 *
 * nnfast's streams: the key is a 64-bit seed (low word first), the counter is (block, step)
 * as two 64-bit halves (low words first), and word w of block b is element 4 * b + w. */
#ifndef NNF_RNG_PHILOX_H
#define NNF_RNG_PHILOX_H

#include <stdint.h>

/* GCC's AVX-512 units (isa/avx512.c, whose target region defines __AVX512F__) multiply eight
 * counters a vector; every other compile runs the portable loop, which the compiler
 * vectorizes as it can. */
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#define NNF_PHILOX_AVX512 1
#include <immintrin.h>
#else
#define NNF_PHILOX_AVX512 0
#endif

#define NNF_PHILOX_M0 0xD2511F53u /* the paper's multipliers and Weyl key increments */
#define NNF_PHILOX_M1 0xCD9E8D57u
#define NNF_PHILOX_W0 0x9E3779B9u
#define NNF_PHILOX_W1 0xBB67AE85u
/* Blocks per call of nnf_philox_blocks: enough lanes for any SIMD width, small enough for
 * the stack. */
#define NNF_PHILOX_MAX_BLOCKS 64

/* out[4 * k + w] = word w of Philox4x32-10 at counter (block + k, step), key seed, for
 * k < nb <= NNF_PHILOX_MAX_BLOCKS. Each counter's ten rounds stay in registers, and the
 * loop over counters is a loop over independent lanes the compiler turns into SIMD
 * multiplies. */
static inline void nnf_philox_blocks(uint64_t seed, uint64_t step, uint64_t block, int nb,
                                     uint32_t *out)
{
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
#if NNF_PHILOX_AVX512
    /* Eight counters a vector, each 64-bit lane holding a word in its low half: vpmuludq
     * multiplies the low halves into the exact 64-bit products, where the compiler makes
     * the portable loop's multiplies four lanes at a time or full 64-bit ones (vpmullq),
     * about twice the time. Four vectors at once: a round's multiply waits on the one before,
     * so one vector alone would leave the core idle most of its latency. The same words as
     * the portable loop. */
    enum { G = 4 };
    const __m512i m0 = _mm512_set1_epi64(NNF_PHILOX_M0), m1 = _mm512_set1_epi64(NNF_PHILOX_M1);
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i low = _mm512_set1_epi64(0xFFFFFFFF);
    for (int k = 0; k < nb; k += 8 * G) {
        __m512i c0[G], c1[G], c2[G], c3[G];
        _Pragma("GCC unroll 4")
        for (int g = 0; g < G; g++) {
            c0[g] = _mm512_add_epi64(lane, _mm512_set1_epi64(
                                               (long long)(block + (uint64_t)(k + 8 * g))));
            c1[g] = _mm512_srli_epi64(c0[g], 32);
            c2[g] = _mm512_set1_epi64((uint32_t)step);
            c3[g] = _mm512_set1_epi64((long long)(step >> 32));
        }
        _Pragma("GCC unroll 10")
        for (uint32_t r = 0; r < 10; r++) {
            const __m512i key0 = _mm512_set1_epi64((uint32_t)(k0 + r * NNF_PHILOX_W0));
            const __m512i key1 = _mm512_set1_epi64((uint32_t)(k1 + r * NNF_PHILOX_W1));
            _Pragma("GCC unroll 4")
            for (int g = 0; g < G; g++) {
                __m512i p0 = _mm512_mul_epu32(c0[g], m0), p1 = _mm512_mul_epu32(c2[g], m1);
                c0[g] = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), c1[g]),
                                         key0);
                c2[g] = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), c3[g]),
                                         key1);
                c1[g] = p1;
                c3[g] = p0;
            }
        }
        for (int g = 0; g < G && k + 8 * g < nb; g++) {
            /* words (0, 1) and (2, 3) of each counter as one 64-bit value each, low word
             * first, interleaved counter by counter: counters 0 .. 3 of the vector, then 4 .. */
            __m512i w01 = _mm512_or_si512(_mm512_and_si512(c0[g], low),
                                          _mm512_slli_epi64(c1[g], 32));
            __m512i w23 = _mm512_or_si512(_mm512_and_si512(c2[g], low),
                                          _mm512_slli_epi64(c3[g], 32));
            __m512i first = _mm512_permutex2var_epi64(
                w01, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), w23);
            __m512i second = _mm512_permutex2var_epi64(
                w01, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), w23);
            const int at = k + 8 * g;
            if (at + 8 <= nb) {
                _mm512_storeu_si512(out + 4 * at, first);
                _mm512_storeu_si512(out + 4 * at + 16, second);
            } else {
                uint32_t words[32];
                _mm512_storeu_si512(words, first);
                _mm512_storeu_si512(words + 16, second);
                for (int j = 0; j < 4 * (nb - at); j++)
                    out[4 * at + j] = words[j];
            }
        }
    }
#else
    for (int k = 0; k < nb; k++) {
        uint64_t b = block + (uint64_t)k; /* wraps at 2^64, as the counter's low half */
        uint32_t c0 = (uint32_t)b, c1 = (uint32_t)(b >> 32);
        uint32_t c2 = (uint32_t)step, c3 = (uint32_t)(step >> 32);
        _Pragma("GCC unroll 10")
        for (uint32_t r = 0; r < 10; r++) { /* round r's key: the seed plus r Weyl steps */
            uint64_t p0 = (uint64_t)NNF_PHILOX_M0 * c0;
            uint64_t p1 = (uint64_t)NNF_PHILOX_M1 * c2;
            c0 = (uint32_t)(p1 >> 32) ^ c1 ^ (k0 + r * NNF_PHILOX_W0);
            c2 = (uint32_t)(p0 >> 32) ^ c3 ^ (k1 + r * NNF_PHILOX_W1);
            c1 = (uint32_t)p1;
            c3 = (uint32_t)p0;
        }
        out[4 * k] = c0;
        out[4 * k + 1] = c1;
        out[4 * k + 2] = c2;
        out[4 * k + 3] = c3;
    }
#endif
}

/* The keep test of a fraction keep in (0, 1]: element e is kept iff its word w satisfies
 * w * 2^-32 < keep, that is w < ceil(keep * 2^32) (keep * 2^32 is exact in double), so an
 * element is kept with probability ceil(keep * 2^32) / 2^32, within 2^-32 of keep. */
static inline uint64_t nnf_philox_keep_below(double keep)
{
    double t = __builtin_ceil(keep * 4294967296.0);
    return t <= 0 ? 0 : t >= 4294967296.0 ? (uint64_t)1 << 32 : (uint64_t)t;
}

#endif
