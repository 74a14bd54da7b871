// The hybrid scan: N SHA-NI streams and one lane vector V of nonces per step, their instructions
// interleaved four rounds at a time so the out-of-order core can run the SHA unit and the vector
// ALUs side by side. Include after the kernels and V's lane header; internal linkage.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/hash_backend.hpp"
#include "core/sha256d_kernel.hpp"
#include "core/shani_kernel.hpp"

namespace hf::kernel {
namespace {

template <int G, int N, class V> inline void h1_step(const Sha256dPlan& p, Hash1<V>& v, ShaniLanes<N>& l) {
    shani_h1_group<G, N>(l);
    h1_rounds<4 * G, 4 * G + 4>(p, v);
}
template <int G, int N, class V> inline void h2_step(Hash2<V>& v, ShaniLanes<N>& l) {
    shani_h2_group<G, N>(l);
    h2_rounds<(G == 0 ? 1 : 4 * G), 4 * G + 4>(v);
}

template <int N, class V>
__attribute__((flatten)) std::uint64_t scan_hybrid(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                          const std::atomic<bool>& stop) {
    constexpr std::uint64_t kLanes = V::kLanes + N;
    const Sha256dPlan plan = make_sha256d_plan(work);
    const ShaniPlan sp = make_shani_plan(plan);
    const V iota = V::iota();
    std::uint64_t done = 0;
    while (done < range.count && !stop.load(std::memory_order_relaxed)) {
        for (int step = 0; step < 16 && done < range.count; ++step) {
            const std::uint32_t base = range.first + static_cast<std::uint32_t>(done);
            Hash1<V> v;
            h1_init(plan, byteswap(V::set1(base) + iota), v);
            std::uint32_t w3[N], h7[N];
            for (int s = 0; s < N; ++s) w3[s] = nonce_to_w3(base + V::kLanes + static_cast<std::uint32_t>(s));
            ShaniLanes<N> l;
            shani_h1_init<N>(sp, w3, l);
            [&]<int... G>(std::integer_sequence<int, G...>) { (h1_step<G + 1, N, V>(plan, v, l), ...); }(std::make_integer_sequence<int, 15>{});
            Hash2<V> x;
            h2_init(plan, v, x);
            shani_h2_init<N>(sp, l);
            [&]<int... G>(std::integer_sequence<int, G...>) { (h2_step<G, N, V>(x, l), ...); }(std::make_integer_sequence<int, 15>{});
            shani_h2_last<N>(l, h7);
            h2_round<60>(x);
            std::uint32_t mask = may_meet_mask(h2_h7(x), plan.h7_limit);
            for (int s = 0; s < N; ++s) mask |= h7_may_meet(h7[s], plan.h7_limit) ? 1u << (V::kLanes + s) : 0u;
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
