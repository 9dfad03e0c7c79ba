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

/* GCC's AVX-512 and AVX2 units (isa/avx512.c, isa/avx2.c, whose target regions define
 * __AVX512F__, __AVX2__) multiply eight or four counters a vector with the intrinsics below;
 * every other compile runs the portable loop, which the compiler vectorizes as it can. A
 * vector's 64-bit lanes each hold a word in their low half. */
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define NNF_PHILOX_LANES 8
typedef __m512i nnf_philox_vec;
#define NNF_PV_SET1(x) _mm512_set1_epi64((long long)(x))
#define NNF_PV_LANE_INDEX _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0)
#define NNF_PV_ADD _mm512_add_epi64
#define NNF_PV_MUL _mm512_mul_epu32
#define NNF_PV_XOR _mm512_xor_si512
#define NNF_PV_AND _mm512_and_si512
#define NNF_PV_OR _mm512_or_si512
#define NNF_PV_SRL32(x) _mm512_srli_epi64(x, 32)
#define NNF_PV_SLL32(x) _mm512_slli_epi64(x, 32)
/* out (16 words) = counter k's words (w01[k], w23[k]) for the vector's first 4 counters,
 * out + 16 the last 4's. */
static inline void nnf_philox_store(uint32_t *out, __m512i w01, __m512i w23)
{
    _mm512_storeu_si512(out, _mm512_permutex2var_epi64(
                                 w01, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), w23));
    _mm512_storeu_si512(out + 16, _mm512_permutex2var_epi64(
                                      w01, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), w23));
}
#elif defined(__AVX2__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define NNF_PHILOX_LANES 4
typedef __m256i nnf_philox_vec;
#define NNF_PV_SET1(x) _mm256_set1_epi64x((long long)(x))
#define NNF_PV_LANE_INDEX _mm256_set_epi64x(3, 2, 1, 0)
#define NNF_PV_ADD _mm256_add_epi64
#define NNF_PV_MUL _mm256_mul_epu32
#define NNF_PV_XOR _mm256_xor_si256
#define NNF_PV_AND _mm256_and_si256
#define NNF_PV_OR _mm256_or_si256
#define NNF_PV_SRL32(x) _mm256_srli_epi64(x, 32)
#define NNF_PV_SLL32(x) _mm256_slli_epi64(x, 32)
/* out (8 words) = counters 0 and 1's words, out + 8 counters 2 and 3's (unpack works within
 * 128-bit halves: counters 0, 2 then 1, 3, put in order across the halves). */
static inline void nnf_philox_store(uint32_t *out, __m256i w01, __m256i w23)
{
    __m256i even = _mm256_unpacklo_epi64(w01, w23), odd = _mm256_unpackhi_epi64(w01, w23);
    _mm256_storeu_si256((__m256i *)out, _mm256_permute2x128_si256(even, odd, 0x20));
    _mm256_storeu_si256((__m256i *)(out + 8), _mm256_permute2x128_si256(even, odd, 0x31));
}
#else
#define NNF_PHILOX_LANES 0
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
#if NNF_PHILOX_LANES
    /* vpmuludq multiplies the lanes' low halves into the exact 64-bit products, where the
     * compiler makes the portable loop's multiplies four lanes at a time or full 64-bit ones
     * (vpmullq), about twice the time. G vectors at once: a round's multiply waits on the one
     * before, so one vector alone would leave the core idle most of its latency. The same
     * words as the portable loop. */
    enum { G = 4, V = NNF_PHILOX_LANES };
    const nnf_philox_vec m0 = NNF_PV_SET1(NNF_PHILOX_M0), m1 = NNF_PV_SET1(NNF_PHILOX_M1);
    const nnf_philox_vec lane = NNF_PV_LANE_INDEX, low = NNF_PV_SET1(0xFFFFFFFFu);
    for (int k = 0; k < nb; k += V * G) {
        nnf_philox_vec c0[G], c1[G], c2[G], c3[G];
        _Pragma("GCC unroll 4")
        for (int g = 0; g < G; g++) {
            c0[g] = NNF_PV_ADD(lane, NNF_PV_SET1(block + (uint64_t)(k + V * g)));
            c1[g] = NNF_PV_SRL32(c0[g]);
            c2[g] = NNF_PV_SET1((uint32_t)step);
            c3[g] = NNF_PV_SET1(step >> 32);
        }
        _Pragma("GCC unroll 10")
        for (uint32_t r = 0; r < 10; r++) {
            const nnf_philox_vec key0 = NNF_PV_SET1((uint32_t)(k0 + r * NNF_PHILOX_W0));
            const nnf_philox_vec key1 = NNF_PV_SET1((uint32_t)(k1 + r * NNF_PHILOX_W1));
            _Pragma("GCC unroll 4")
            for (int g = 0; g < G; g++) {
                nnf_philox_vec p0 = NNF_PV_MUL(c0[g], m0), p1 = NNF_PV_MUL(c2[g], m1);
                c0[g] = NNF_PV_XOR(NNF_PV_XOR(NNF_PV_SRL32(p1), c1[g]), key0);
                c2[g] = NNF_PV_XOR(NNF_PV_XOR(NNF_PV_SRL32(p0), c3[g]), key1);
                c1[g] = p1;
                c3[g] = p0;
            }
        }
        for (int g = 0; g < G && k + V * g < nb; g++) {
            /* words (0, 1) and (2, 3) of each counter as one 64-bit value each, low word
             * first */
            const nnf_philox_vec w01 = NNF_PV_OR(NNF_PV_AND(c0[g], low), NNF_PV_SLL32(c1[g]));
            const nnf_philox_vec w23 = NNF_PV_OR(NNF_PV_AND(c2[g], low), NNF_PV_SLL32(c3[g]));
            const int at = k + V * g;
            if (at + V <= nb) {
                nnf_philox_store(out + 4 * at, w01, w23);
            } else {
                uint32_t words[4 * V];
                nnf_philox_store(words, w01, w23);
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
