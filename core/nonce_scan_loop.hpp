// The scan loop shared by the lane-vector backends (scalar, avx2, avx512): a nonce range in steps of
// V::kLanes, the kernel up to H7, the early-reject mask, and candidates handed to the reference.
// Included after a backend switches on its instruction set; internal linkage like the kernel.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/hash_backend.hpp"
#include "core/sha256d_kernel.hpp"
#include "core/sha256d_plan.hpp"

namespace hf::kernel {
namespace {

template <class V>
__attribute__((flatten)) std::uint64_t scan_lanes(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                         const std::atomic<bool>& stop) {
    constexpr std::uint64_t kLanes = V::kLanes;
    constexpr int kStepsPerStopCheck = 16;
    const Sha256dPlan plan = make_sha256d_plan(work);
    const V iota = V::iota();
    std::uint64_t done = 0;
    while (done < range.count && !stop.load(std::memory_order_relaxed)) {
        for (int step = 0; step < kStepsPerStopCheck && done < range.count; ++step) {
            const std::uint32_t base = range.first + static_cast<std::uint32_t>(done);
            const V h7 = sha256d_h7(plan, byteswap(V::set1(base) + iota));
            std::uint32_t mask = may_meet_mask(h7, plan.h7_limit);
            const std::uint64_t lanes = std::min(kLanes, range.count - done);
            if (mask != 0) [[unlikely]] {
                if (lanes < kLanes) mask &= (std::uint32_t{1} << lanes) - 1;
                finish_candidates(work, base, mask, found);
            }
            done += lanes;
        }
    }
    return done;
}

}  // namespace
}  // namespace hf::kernel
