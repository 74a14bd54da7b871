// The per-header precomputation every nonce scanner shares: the work a real miner does once per
// job (or once per extranonce2/version) so that each nonce costs as little as possible.
//
// An 80-byte header is two SHA-256 blocks. Block 1 (bytes 0..63) does not contain the nonce, so its
// result, the midstate, is computed once. Block 2 holds merkle tail, ntime, nbits (message words
// W0..W2), the nonce (W3) and constant padding (W4..W15). So rounds 0..2 of block 2 are the same for
// every nonce and are done once here, and round 3 is done up to the addition of W3: after it, the
// working variables a and e are "constant + W3" and the others constant. Message words that do not
// depend on the nonce (W16, W17 and the constant parts of W18, W19) and K+W for the padding rounds
// are folded here too. The second hash hashes a 32-byte digest, so its W8..W15 are constant padding
// and its round 0 starts from the fixed initial state: "constant + W0" again.
//
// Finally, a hash can only meet a target whose top 32 bits are T if its own top 32 bits (the last
// state word H7 of the second hash, byte-swapped) are <= T; H7 is known after round 60 of the second
// hash, so scanners stop there and only candidates are finished with the reference code.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/hash_backend.hpp"

namespace hf {

struct Sha256dPlan {
    // Block 2 of hash 1, after round 3 computed with W3 = 0: add W3 to a (v3[0]) and e (v3[4]).
    sha256::State v3{};
    sha256::State midstate{};            // added back after the 64 rounds (feed-forward)
    std::array<std::uint32_t, 4> w{};    // W0..W3 of block 2 (W3 = 0 here; the nonce goes there)
    std::uint32_t w16 = 0, w17 = 0;      // nonce-independent schedule words
    std::uint32_t w18_part = 0;          // W18 = w18_part + sigma0(W3)
    std::uint32_t w19_part = 0;          // W19 = w19_part + W3
    std::uint32_t w31_part = 0;          // sigma0(W16) + W15
    std::uint32_t w32_part = 0;          // sigma0(W17) + W16
    // Hash 2, round 0 from the initial state: a1 = a1_part + W0, e1 = e1_part + W0; others constant.
    sha256::State h2_v1{};               // state after round 0 with W0 = 0
    std::uint32_t h7_limit = 0;          // candidates: byteswap(H7) <= h7_limit (target's top 32 bits)
};

// Builds the plan for one header (the nonce field is ignored).
Sha256dPlan make_sha256d_plan(const ScanWork& work);

// The second hash's H7 word for a given nonce, by the plan and the portable round functions
// (round 60 early exit included). Slow but plain: the scalar backend's inner loop and the yardstick
// the SIMD kernels are tested against.
std::uint32_t plan_h7(const Sha256dPlan& plan, std::uint32_t nonce);

// The nonce as message word W3: the header stores it little-endian, SHA-256 reads big-endian.
constexpr std::uint32_t nonce_to_w3(std::uint32_t nonce) { return __builtin_bswap32(nonce); }

// True when a hash with this H7 could meet the target (the early-reject test).
constexpr bool h7_may_meet(std::uint32_t h7, std::uint32_t h7_limit) { return __builtin_bswap32(h7) <= h7_limit; }

// sha256d of the header with `nonce`, by the portable reference compression (never SHA-NI or SIMD):
// what every candidate is re-hashed with on the host.
Hash256 reference_sha256d(const ScanWork& work, std::uint32_t nonce);

// Finishes a candidate: the full reference hash compared with the whole 256-bit target.
bool reference_meets_target(const ScanWork& work, std::uint32_t nonce);

// For each set bit i of `lane_mask`, finishes nonce base + i with the reference and appends it to
// `found` if it meets the target. Kept out of line so SIMD code never touches std::vector.
void finish_candidates(const ScanWork& work, std::uint32_t base, std::uint32_t lane_mask,
                       std::vector<std::uint32_t>& found);

}  // namespace hf
