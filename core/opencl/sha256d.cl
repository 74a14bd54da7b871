// hashforge's sha256d nonce kernel in OpenCL C: one work-item per nonce, the GPU-era way (poclbm,
// phatk, diakgcn). It runs on whatever OpenCL device the machine has: a GPU's driver, or POCL on
// the CPU. The host (core/backend_opencl.cpp) compiles this source at run time for the device.
//
// The tricks are those of the CPU kernel (core/sha256d_kernel.hpp, core/sha256d_plan.hpp):
//   * midstate: header bytes 0..63 are hashed once per job, on the host;
//   * rounds 0..3 of block 2 are precomputed: only round 3's message word is the nonce, so the
//     host runs round 3 without it and the kernel adds the nonce word to a and e;
//   * padding words are compile-time constants, so K[t] + W[t] and every schedule term built
//     from them fold away; schedule words W16, W17 and the constant parts of W18, W19, W31, W32
//     come from the host;
//   * early exit: the hash's top 32 bits are its last state word H7, known after round 60 of
//     the second hash (H7 = IV7 + e60), so rounds 61..63 and the other seven words are never
//     computed, and only nonces whose H7 may meet the target are reported.
// The host re-hashes every reported nonce with the portable reference before anyone sees it.
//
// The same file is compiled as C++ by bench/joules (opencl_kernel_ops.cpp) with `word` standing
// for an operation-counting type: the GPU model counts the operations of this very source. So the
// hash itself (everything outside the #ifdef __OPENCL_VERSION__ blocks) uses only + ^ & | and
// the helpers rotr, shr, ch, maj, xor3.

#ifdef __OPENCL_VERSION__
// A work-item hashes VECTOR_WIDTH consecutive nonces, one per component of `word` (uint, uint2, ..
// uint16). The host passes -D VECTOR_WIDTH=N with the device's native int vector width: 1 on
// today's GPUs (whose lanes are work-items), 4 on the VLIW Radeons of 2010, 16 for POCL on an
// AVX-512 CPU (one zmm register per word).
#ifndef VECTOR_WIDTH
#define VECTOR_WIDTH 1
#endif
#if VECTOR_WIDTH == 1
typedef uint word;
#define LANE_INDEX ((word)(0))
#define STORE_LANES(v, p) ((p)[0] = (v))
#elif VECTOR_WIDTH == 2
typedef uint2 word;
#define LANE_INDEX ((word)(0, 1))
#define STORE_LANES(v, p) vstore2((v), 0, (p))
#elif VECTOR_WIDTH == 4
typedef uint4 word;
#define LANE_INDEX ((word)(0, 1, 2, 3))
#define STORE_LANES(v, p) vstore4((v), 0, (p))
#elif VECTOR_WIDTH == 8
typedef uint8 word;
#define LANE_INDEX ((word)(0, 1, 2, 3, 4, 5, 6, 7))
#define STORE_LANES(v, p) vstore8((v), 0, (p))
#elif VECTOR_WIDTH == 16
typedef uint16 word;
#define LANE_INDEX ((word)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#define STORE_LANES(v, p) vstore16((v), 0, (p))
#else
#error "VECTOR_WIDTH must be 1, 2, 4, 8 or 16"
#endif

// SHA-256's functions as the device does them: rotate() is one instruction on every GPU since
// AMD's Evergreen (BIT_ALIGN_INT), bitselect() is AMD's BFI_INT.
#define rotr(x, n) rotate((x), (word)(32 - (n)))
#define shr(x, n) ((x) >> (n))
#define ch(e, f, g) bitselect((g), (f), (e))          // e ? f : g, bit by bit
#define maj(a, b, c) bitselect((a), (b), (a) ^ (c))   // the majority of a, b, c
#define xor3(x, y, z) ((x) ^ (y) ^ (z))
#define CONSTANT __constant
#endif

#define Sigma0(x) xor3(rotr(x, 2), rotr(x, 13), rotr(x, 22))
#define Sigma1(x) xor3(rotr(x, 6), rotr(x, 11), rotr(x, 25))
#define sigma0(x) xor3(rotr(x, 7), rotr(x, 18), shr(x, 3))
#define sigma1(x) xor3(rotr(x, 17), rotr(x, 19), shr(x, 10))

// What the host computes once per header (core's Sha256dPlan, field for field).
typedef struct {
    uint v3[8];        // block 2 of hash 1 after round 3, computed with W3 = 0
    uint midstate[8];  // SHA-256 state after header bytes 0..63
    uint w16, w17;     // schedule words that do not depend on the nonce
    uint w18_part;     // W18 = w18_part + sigma0(W3)
    uint w19_part;     // W19 = w19_part + W3
    uint w31_part;     // sigma0(W16) + W15
    uint w32_part;     // sigma0(W17) + W16
    uint h2_v1[8];     // hash 2 after round 0 from the initial state, computed with W0 = 0
    uint h7_limit;     // report a nonce when byteswap(H7) <= h7_limit
} Plan;

CONSTANT uint K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// One round on s = {a, b, c, d, e, f, g, h} with kw = K[t] + W[t]. The moves cost nothing once
// the loops are unrolled: the compiler just renames registers.
void sha256_round(word s[8], word kw) {
    const word t1 = s[7] + Sigma1(s[4]) + ch(s[4], s[5], s[6]) + kw;
    const word t2 = Sigma0(s[0]) + maj(s[0], s[1], s[2]);
    s[7] = s[6]; s[6] = s[5]; s[5] = s[4]; s[4] = s[3] + t1;
    s[3] = s[2]; s[2] = s[1]; s[1] = s[0]; s[0] = t1 + t2;
}

// H7 of sha256d(header with nonce), where w3 is the nonce as message word 3 (byte-swapped).
word sha256d_h7(const Plan* p, word w3) {
    // Hash 1, block 2: W0..W2 = header bytes 64..75 (folded into the plan), W3 = nonce,
    // W4 = the padding bit, W5..W14 = 0, W15 = the length, 640 bits.
    word w[64];
    w[4] = 0x80000000;
    for (int t = 5; t < 15; ++t) w[t] = 0;
    w[15] = 640;
    w[16] = p->w16;
    w[17] = p->w17;
    w[18] = p->w18_part + sigma0(w3);
    w[19] = p->w19_part + w3;
    w[20] = sigma1(w[18]) + 0x80000000;  // + W13 + sigma0(W5): zero
    w[21] = sigma1(w[19]);
    w[22] = sigma1(w[20]) + 640;
    #pragma unroll
    for (int t = 23; t < 30; ++t) w[t] = sigma1(w[t - 2]) + w[t - 7];  // W[t-15], W[t-16] are zero
    w[30] = sigma1(w[28]) + w[23] + sigma0((word)640);
    w[31] = sigma1(w[29]) + w[24] + p->w31_part;
    w[32] = sigma1(w[30]) + w[25] + p->w32_part;
    #pragma unroll
    for (int t = 33; t < 64; ++t) w[t] = sigma1(w[t - 2]) + w[t - 7] + sigma0(w[t - 15]) + w[t - 16];

    // Rounds 4..63 from the host's state after round 3, with the nonce word added to a and e.
    word s[8];
    for (int i = 0; i < 8; ++i) s[i] = p->v3[i];
    s[0] = s[0] + w3;
    s[4] = s[4] + w3;
    #pragma unroll
    for (int t = 4; t < 64; ++t) sha256_round(s, K[t] + w[t]);  // t < 16: one constant

    // Hash 2 hashes hash 1's digest: W0..W7 = digest, W8 = the padding bit, W9..W14 = 0,
    // W15 = 256 bits. Round 0 is the host's; its only varying input, W0, goes into a and e.
    word x[64];
    for (int i = 0; i < 8; ++i) x[i] = s[i] + p->midstate[i];
    x[8] = 0x80000000;
    for (int t = 9; t < 15; ++t) x[t] = 0;
    x[15] = 256;
    #pragma unroll
    for (int t = 16; t < 61; ++t) x[t] = sigma1(x[t - 2]) + x[t - 7] + sigma0(x[t - 15]) + x[t - 16];
    for (int i = 0; i < 8; ++i) s[i] = p->h2_v1[i];
    s[0] = s[0] + x[0];
    s[4] = s[4] + x[0];
    #pragma unroll
    for (int t = 1; t < 61; ++t) sha256_round(s, K[t] + x[t]);  // rounds 57..60: only e is used
    return s[4] + 0x5be0cd19;  // H7 = e after round 60 + the initial state's last word
}

// The nonce as message word W3 (the header stores it little-endian, SHA-256 reads big-endian),
// and H7 as the hash's top 32 bits: a byte swap, in rotates so vectors of any width take it.
word byteswap(word x) { return (rotr(x, 24) & 0x00ff00ff) | (rotr(x, 8) & 0xff00ff00); }

#ifdef __OPENCL_VERSION__

// Work-item i hashes nonces base + i * VECTOR_WIDTH + lane (mod 2^32), those whose offset from
// base is below count. A nonce whose H7 may meet the target (byteswap(H7) <= the target's top
// 32 bits) is appended to found[1..capacity]; found[0] counts them all, so the host knows when
// the buffer was too small and launches again with a bigger one.
__kernel void sha256d_scan(const Plan plan, const uint base, const uint count, const uint capacity,
                           __global volatile uint* found) {
    const uint offset = (uint)get_global_id(0) * VECTOR_WIDTH;
    const word h7 = sha256d_h7(&plan, byteswap(base + offset + LANE_INDEX));
    uint top[VECTOR_WIDTH];  // per nonce: the hash's top 32 bits
    STORE_LANES(byteswap(h7), top);
    for (uint lane = 0; lane < VECTOR_WIDTH; ++lane) {
        if (top[lane] <= plan.h7_limit && offset + lane < count) {
            const uint slot = atomic_inc(&found[0]);
            if (slot < capacity) found[1 + slot] = base + offset + lane;
        }
    }
}
#endif
