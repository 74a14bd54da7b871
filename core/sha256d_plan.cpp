#include "core/sha256d_plan.hpp"

#include <algorithm>
#include <cstring>

#include "core/sha256_impl.hpp"
#include "core/sha256_rounds.hpp"
#include "core/sha256d_kernel.hpp"
#include "core/target.hpp"

namespace hf {

Sha256dPlan make_sha256d_plan(const ScanWork& work) {
    using namespace sha256;
    Sha256dPlan p;
    p.midstate = work.midstate;
    p.w = {work.tail[0], work.tail[1], work.tail[2], 0};

    // Rounds 0..2 of block 2 and round 3 without W3.
    State v = work.midstate;
    for (int t = 0; t < 3; ++t) round(v, kRoundConstants[t] + p.w[t]);
    round(v, kRoundConstants[3]);
    p.v3 = v;

    // Block 2 message: W4 = 0x80000000, W5..W14 = 0, W15 = 640.
    p.w16 = small_sigma0(p.w[1]) + p.w[0];
    p.w17 = small_sigma1(640) + small_sigma0(p.w[2]) + p.w[1];
    p.w18_part = small_sigma1(p.w16) + p.w[2];
    p.w19_part = small_sigma1(p.w17) + small_sigma0(0x80000000);
    p.w31_part = small_sigma0(p.w16) + 640;
    p.w32_part = small_sigma0(p.w17) + p.w16;

    // Hash 2, round 0 from the initial state with W0 = 0.
    State h = kInitialState;
    round(h, kRoundConstants[0]);
    p.h2_v1 = h;

    p.h7_limit = static_cast<std::uint32_t>(work.target.limb(3) >> 32);
    return p;
}

std::uint32_t plan_h7(const Sha256dPlan& plan, std::uint32_t nonce) {
    return kernel::sha256d_h7(plan, kernel::U32x1::set1(nonce_to_w3(nonce))).v;
}

Hash256 reference_sha256d(const ScanWork& work, std::uint32_t nonce) {
    using namespace sha256;
    std::array<std::uint8_t, 64> block{};
    std::memcpy(block.data(), work.header.data() + 64, 12);
    store_le32(block.data() + 12, nonce);
    block[16] = 0x80;
    block[62] = 0x02;  // 640 bits
    block[63] = 0x80;
    State s = kInitialState;
    compress_reference(s, work.header.data(), 1);  // not the cached midstate: recomputed independently
    compress_reference(s, block.data(), 1);
    std::array<std::uint8_t, 64> second{};
    const Digest first = state_to_digest(s);
    std::copy(first.begin(), first.end(), second.begin());
    second[32] = 0x80;
    second[62] = 0x01;  // 256 bits
    State s2 = kInitialState;
    compress_reference(s2, second.data(), 1);
    return state_to_digest(s2);
}

bool reference_meets_target(const ScanWork& work, std::uint32_t nonce) {
    return hash_meets_target(reference_sha256d(work, nonce), work.target);
}

void finish_candidates(const ScanWork& work, std::uint32_t base, std::uint32_t lane_mask,
                       std::vector<std::uint32_t>& found) {
    for (; lane_mask != 0; lane_mask &= lane_mask - 1) {
        const std::uint32_t nonce = base + static_cast<std::uint32_t>(__builtin_ctz(lane_mask));
        if (reference_meets_target(work, nonce)) found.push_back(nonce);
    }
}

}  // namespace hf
