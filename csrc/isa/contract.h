/* isa/contract.h: where multiply-adds may be fused.
 *
 * The build fuses a * b + c into one fused multiply-add (setup.py: -ffp-contract=fast with
 * GCC, "on" with clang, which fuses within an expression): the GEMM, softmax and the
 * forward activations are compiled so. Between NNF_CONTRACT_OFF_BEGIN and
 * NNF_CONTRACT_OFF_END nothing is fused, so that each expression rounds as the book's NumPy
 * code does on every instruction set: the backward passes, the losses and the optimizers.
 * (clang ignores the pragma under -ffp-contract=fast but honours it under "on"; GCC before
 * 14 has no "on" and honours its pragma.) */
#ifndef NNFAST_ISA_CONTRACT_H
#define NNFAST_ISA_CONTRACT_H

#if defined(__clang__)
#define NNF_CONTRACT_OFF_BEGIN _Pragma("clang fp contract(off)")
#define NNF_CONTRACT_OFF_END _Pragma("clang fp contract(on)")
#elif defined(__GNUC__)
#define NNF_CONTRACT_OFF_BEGIN _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\")")
#define NNF_CONTRACT_OFF_END _Pragma("GCC pop_options")
#endif

/* A function with fused multiply-adds that code without them calls: kept out of line, so it
 * keeps its own rounding (GCC compiles an inlined copy the caller's way), and one copy that
 * every caller shares, the table's (no copies specialized to one caller's constants). */
#if defined(__clang__)
#define NNF_OWN_CONTRACTION __attribute__((noinline))
#else
#define NNF_OWN_CONTRACTION __attribute__((noinline, noclone))
#endif

#endif
