// The shani backend: sha256d with the x86 SHA extensions, several independent nonces interleaved
// per thread (the kernel is core/shani_kernel.hpp).
//
// Why interleave: sha256rnds2 has a latency of several cycles but can issue more often than that
// (measured here: 1 stream ~98 TSC ticks per compression, 4 streams ~30 without the message
// schedule; see shani_tsc_per_compression), and the rounds of one hash form a single dependency
// chain. With N independent nonces in flight the SHA unit is kept busy instead of waiting on its
// own result. The count is a template parameter; "shani" uses the best of 2..4 measured at start-up.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/backends.hpp"
#include "core/cpu_features.hpp"
#include "core/sha256d_plan.hpp"
#include "core/tsc.hpp"

#pragma GCC push_options
#pragma GCC target("sha,sse4.1,ssse3")

#include "core/shani_kernel.hpp"

namespace hf::kernel {
namespace {

template <int N>
__attribute__((flatten)) std::uint64_t scan_shani(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                         const std::atomic<bool>& stop) {
    const ShaniPlan p = make_shani_plan(make_sha256d_plan(work));
    std::uint64_t done = 0;
    while (done < range.count && !stop.load(std::memory_order_relaxed)) {
        for (int step = 0; step < 64 && done < range.count; ++step) {
            const std::uint32_t base = range.first + static_cast<std::uint32_t>(done);
            std::uint32_t w3[N], h7[N];
            for (int s = 0; s < N; ++s) w3[s] = nonce_to_w3(base + static_cast<std::uint32_t>(s));
            shani_sha256d_h7<N>(p, w3, h7);
            const std::uint64_t lanes = std::min<std::uint64_t>(N, range.count - done);
            std::uint32_t mask = 0;
            for (int s = 0; s < N; ++s) mask |= h7_may_meet(h7[s], p.h7_limit) ? 1u << s : 0u;
            if (mask != 0) [[unlikely]] {
                if (lanes < N) mask &= (1u << lanes) - 1;
                finish_candidates(work, base, mask, found);
            }
            done += lanes;
        }
    }
    return done;
}

// `N` independent states, each compressed `rounds` times: full 64 rounds with the message
// schedule, as a plain SHA-256 compression does (the micro-benchmark behind the SHA-NI bound).
template <int N> __attribute__((flatten)) std::uint64_t shani_compress_loop(std::uint64_t rounds, std::uint32_t seed) {
    __m128i abef[N], cdgh[N], block[N][4];
    for (int s = 0; s < N; ++s) {
        abef[s] = _mm_set1_epi32(static_cast<int>(seed + static_cast<std::uint32_t>(s)));
        cdgh[s] = _mm_set1_epi32(static_cast<int>(seed * 3 + static_cast<std::uint32_t>(s)));
        for (int i = 0; i < 4; ++i) block[s][i] = _mm_set1_epi32(static_cast<int>(seed ^ static_cast<std::uint32_t>(16 * s + i)));
    }
    const std::uint64_t t0 = read_tsc();
    for (std::uint64_t r = 0; r < rounds; ++r) {
        __m128i m[N][4], abef_in[N], cdgh_in[N];
        for (int s = 0; s < N; ++s) {
            abef_in[s] = abef[s];
            cdgh_in[s] = cdgh[s];
            for (int i = 0; i < 4; ++i) m[s][i] = block[s][i];
            // Chain the message to the previous result (as Merkle-Damgard does across blocks), so
            // the schedule is computed every time instead of being hoisted out of the loop.
            m[s][0] = _mm_xor_si128(m[s][0], abef[s]);
        }
        [&]<int... G>(std::integer_sequence<int, G...>) { (group_from_message<G, N>(abef, cdgh, m), ...); }(
            std::make_integer_sequence<int, 16>{});
        for (int s = 0; s < N; ++s) {
            abef[s] = _mm_add_epi32(abef[s], abef_in[s]);
            cdgh[s] = _mm_add_epi32(cdgh[s], cdgh_in[s]);
        }
    }
    const std::uint64_t t1 = read_tsc();
    std::uint32_t sink = 0;  // keep the result alive so the loop is not optimised away
    for (int s = 0; s < N; ++s) sink ^= static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_xor_si128(abef[s], cdgh[s])));
    __asm__ volatile("" : : "r"(sink));
    return t1 - t0;
}

}  // namespace
}  // namespace hf::kernel

#pragma GCC pop_options

namespace hf {
namespace {

// The interleave that is fastest here, measured once: best-of-several short bursts per count, in
// TSC ticks (the minimum filters out bursts another process interrupted).
int measured_best_streams() {
    int best = 2;
    double best_ticks = 0;
    const ScanWork w = ScanWork::from_header(HeaderBytes{}, U256{});
    const std::atomic<bool> no_stop{false};
    std::vector<std::uint32_t> found;
    for (int n = 2; n <= 4; ++n) {
        auto b = make_shani_backend_streams(n);
        double ticks = 1e30;
        for (int rep = 0; rep < 8; ++rep) {
            const std::uint64_t t0 = read_tsc();
            b->scan(w, {static_cast<std::uint32_t>(rep) << 12, 4096}, found, no_stop);
            ticks = std::min(ticks, static_cast<double>(read_tsc() - t0));
        }
        if (best_ticks == 0 || ticks < best_ticks * 0.97) {  // more streams only for a clear gain
            best = n;
            best_ticks = ticks;
        }
    }
    return best;
}

}  // namespace

int shani_streams() {
    static const int n = [] {
        return cpu_features().shani() ? measured_best_streams() : 2;
    }();
    return n;
}

std::unique_ptr<HashBackend> make_shani_backend() {
    switch (shani_streams()) {
        case 3: return std::make_unique<KernelBackend<&kernel::scan_shani<3>>>("shani", Era::Cpu);
        case 4: return std::make_unique<KernelBackend<&kernel::scan_shani<4>>>("shani", Era::Cpu);
        default: return std::make_unique<KernelBackend<&kernel::scan_shani<2>>>("shani", Era::Cpu);
    }
}

std::unique_ptr<HashBackend> make_shani_backend_streams(int streams) {
    switch (streams) {
        case 1: return std::make_unique<KernelBackend<&kernel::scan_shani<1>>>("shani-x1", Era::Cpu);
        case 2: return std::make_unique<KernelBackend<&kernel::scan_shani<2>>>("shani-x2", Era::Cpu);
        case 3: return std::make_unique<KernelBackend<&kernel::scan_shani<3>>>("shani-x3", Era::Cpu);
        case 4: return std::make_unique<KernelBackend<&kernel::scan_shani<4>>>("shani-x4", Era::Cpu);
        default: return nullptr;
    }
}

double shani_tsc_per_compression(int streams, std::uint64_t rounds) {
    if (!cpu_features().shani() || rounds == 0) return 0;
    std::uint64_t ticks = 0;
    switch (streams) {
        case 1: ticks = kernel::shani_compress_loop<1>(rounds, 1); break;
        case 2: ticks = kernel::shani_compress_loop<2>(rounds, 2); break;
        case 3: ticks = kernel::shani_compress_loop<3>(rounds, 3); break;
        case 4: ticks = kernel::shani_compress_loop<4>(rounds, 4); break;
        default: return 0;
    }
    return static_cast<double>(ticks) / static_cast<double>(rounds * static_cast<std::uint64_t>(streams));
}

}  // namespace hf
