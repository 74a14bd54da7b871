// The shani backend: sha256d with the x86 SHA extensions (sha256rnds2 does two rounds,
// sha256msg1/msg2 the message schedule), several independent nonces interleaved per thread.
//
// Why interleave: sha256rnds2 has a latency of several cycles but can issue every 1-3 cycles
// (uops.info: about 4 cycles latency and 2 cycles reciprocal throughput on Zen 3; 3/1 on Ice
// Lake), and the rounds of one hash form a single dependency chain. With N independent nonces in
// flight the unit is kept busy instead of waiting on its own result. N is a template parameter;
// the default (kStreams) was picked by measurement (hashforge bench --backend shani-x1..x4).
//
// The plan's tricks apply in SHA-NI form: hash 1 starts at round 4 of block 2 (state after rounds
// 0..3 precomputed, the nonce added to lanes A and E), rounds 4..15 use constant K+W vectors,
// hash 2's rounds 8..15 too, and hash 2 stops after the sha256rnds2 of rounds 60-61, whose F lane
// is e after round 60, which decides H7. That is 30 + 31 = 61 sha256rnds2 per nonce instead of 64.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/backends.hpp"
#include "core/sha256d_plan.hpp"

namespace hf {
namespace {

// The plan in the register layout sha256rnds2 uses: ABEF = {A, B, E, F} from lane 3 down to lane 0.
struct ShaniPlan {
    __m128i abef3, cdgh3;  // hash 1 after round 3 without W3 (the nonce is added to A and E)
    __m128i m0;            // W0..W3 of block 2 with W3 = 0 (lane 0 = W0)
    __m128i mid_abef, mid_cdgh;  // midstate for the feed-forward
    std::uint32_t h7_limit;
};

constexpr std::uint32_t K(int i) { return sha256::kRoundConstants[static_cast<unsigned>(i)]; }

__attribute__((target("sse4.1"))) inline __m128i set_abef(const sha256::State& s) {
    return _mm_set_epi32(static_cast<int>(s[0]), static_cast<int>(s[1]), static_cast<int>(s[4]), static_cast<int>(s[5]));
}
__attribute__((target("sse4.1"))) inline __m128i set_cdgh(const sha256::State& s) {
    return _mm_set_epi32(static_cast<int>(s[2]), static_cast<int>(s[3]), static_cast<int>(s[6]), static_cast<int>(s[7]));
}
__attribute__((target("sse4.1"))) inline __m128i set_words(std::uint32_t w0, std::uint32_t w1, std::uint32_t w2, std::uint32_t w3) {
    return _mm_set_epi32(static_cast<int>(w3), static_cast<int>(w2), static_cast<int>(w1), static_cast<int>(w0));
}

// W[4i..4i+3] from the four previous groups (i >= 4): m[i & 3] is replaced.
#define HF_SCHEDULE(m, i)                                                                              \
    do {                                                                                               \
        __m128i x_ = _mm_sha256msg1_epu32((m)[(i) & 3], (m)[((i) + 1) & 3]);                           \
        x_ = _mm_add_epi32(x_, _mm_alignr_epi8((m)[((i) + 3) & 3], (m)[((i) + 2) & 3], 4));            \
        (m)[(i) & 3] = _mm_sha256msg2_epu32(x_, (m)[((i) + 3) & 3]);                                   \
    } while (0)

// Four rounds with the K+W vector kw, on every stream.
#define HF_ROUNDS4(N, abef, cdgh, kw_expr)                                                             \
    do {                                                                                               \
        __m128i kw_[N];                                                                                \
        for (int s_ = 0; s_ < N; ++s_) kw_[s_] = (kw_expr);                                            \
        for (int s_ = 0; s_ < N; ++s_) cdgh[s_] = _mm_sha256rnds2_epu32(cdgh[s_], abef[s_], kw_[s_]);  \
        for (int s_ = 0; s_ < N; ++s_) kw_[s_] = _mm_shuffle_epi32(kw_[s_], 0x0E);                     \
        for (int s_ = 0; s_ < N; ++s_) abef[s_] = _mm_sha256rnds2_epu32(abef[s_], cdgh[s_], kw_[s_]);  \
    } while (0)

template <int N>
__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline void sha256d_h7_shani(
    const ShaniPlan& p, const std::uint32_t (&w3)[N], std::uint32_t (&h7)[N]) {
    const __m128i* k = reinterpret_cast<const __m128i*>(sha256::kRoundConstants.data());
    __m128i abef[N], cdgh[N], m[N][4];
    // ---- hash 1, block 2, from round 4 ----
    for (int s = 0; s < N; ++s) {
        const __m128i n = _mm_set1_epi32(static_cast<int>(w3[s]));
        abef[s] = _mm_add_epi32(p.abef3, _mm_blend_epi16(n, _mm_setzero_si128(), 0x33));  // + W3 in lanes 3 (A), 1 (E)
        cdgh[s] = p.cdgh3;
        m[s][0] = _mm_blend_epi16(p.m0, n, 0xC0);  // W3 in lane 3
        m[s][1] = set_words(0x80000000u, 0, 0, 0);
        m[s][2] = _mm_setzero_si128();
        m[s][3] = set_words(0, 0, 0, 640);
    }
    {
        const __m128i kw4 = set_words(K(4) + 0x80000000u, K(5), K(6), K(7));
        const __m128i kw8 = _mm_loadu_si128(k + 2);
        const __m128i kw12 = set_words(K(12), K(13), K(14), K(15) + 640);
        HF_ROUNDS4(N, abef, cdgh, kw4);
        HF_ROUNDS4(N, abef, cdgh, kw8);
        HF_ROUNDS4(N, abef, cdgh, kw12);
    }
#pragma GCC unroll 12
    for (int i = 4; i < 16; ++i) {
        for (int s = 0; s < N; ++s) HF_SCHEDULE(m[s], i);
        HF_ROUNDS4(N, abef, cdgh, _mm_add_epi32(m[s_][i & 3], _mm_loadu_si128(k + i)));
    }
    // ---- hash 2 on the 32-byte digest ----
    const __m128i iv_abef = set_words(sha256::kInitialState[5], sha256::kInitialState[4], sha256::kInitialState[1],
                                      sha256::kInitialState[0]);
    const __m128i iv_cdgh = set_words(sha256::kInitialState[7], sha256::kInitialState[6], sha256::kInitialState[3],
                                      sha256::kInitialState[2]);
    for (int s = 0; s < N; ++s) {
        const __m128i a = _mm_add_epi32(abef[s], p.mid_abef);  // lanes 3..0: A B E F
        const __m128i c = _mm_add_epi32(cdgh[s], p.mid_cdgh);  // lanes 3..0: C D G H
        m[s][0] = _mm_shuffle_epi32(_mm_unpackhi_epi64(a, c), 0xB1);  // A B C D (lane 0 = A)
        m[s][1] = _mm_shuffle_epi32(_mm_unpacklo_epi64(a, c), 0xB1);  // E F G H
        m[s][2] = set_words(0x80000000u, 0, 0, 0);
        m[s][3] = set_words(0, 0, 0, 256);
        abef[s] = iv_abef;
        cdgh[s] = iv_cdgh;
    }
    HF_ROUNDS4(N, abef, cdgh, _mm_add_epi32(m[s_][0], _mm_loadu_si128(k + 0)));
    HF_ROUNDS4(N, abef, cdgh, _mm_add_epi32(m[s_][1], _mm_loadu_si128(k + 1)));
    {
        const __m128i kw8 = set_words(K(8) + 0x80000000u, K(9), K(10), K(11));
        const __m128i kw12 = set_words(K(12), K(13), K(14), K(15) + 256);
        HF_ROUNDS4(N, abef, cdgh, kw8);
        HF_ROUNDS4(N, abef, cdgh, kw12);
    }
#pragma GCC unroll 11
    for (int i = 4; i < 15; ++i) {
        for (int s = 0; s < N; ++s) HF_SCHEDULE(m[s], i);
        HF_ROUNDS4(N, abef, cdgh, _mm_add_epi32(m[s_][i & 3], _mm_loadu_si128(k + i)));
    }
    // Rounds 60 and 61 only: the F lane of the result is e after round 60.
    for (int s = 0; s < N; ++s) HF_SCHEDULE(m[s], 15);
    for (int s = 0; s < N; ++s) {
        const __m128i kw = _mm_add_epi32(m[s][3], _mm_loadu_si128(k + 15));
        const __m128i r = _mm_sha256rnds2_epu32(cdgh[s], abef[s], kw);
        h7[s] = static_cast<std::uint32_t>(_mm_cvtsi128_si32(r)) + sha256::kInitialState[7];
    }
}

template <int N>
__attribute__((target("sha,sse4.1,ssse3"))) std::uint64_t scan_shani(const ScanWork& work, NonceRange range,
                                                                    std::vector<std::uint32_t>& found,
                                                                    const std::atomic<bool>& stop) {
    const Sha256dPlan plan = make_sha256d_plan(work);
    ShaniPlan p;
    p.abef3 = set_abef(plan.v3);
    p.cdgh3 = set_cdgh(plan.v3);
    p.m0 = set_words(plan.w[0], plan.w[1], plan.w[2], 0);
    p.mid_abef = set_abef(plan.midstate);
    p.mid_cdgh = set_cdgh(plan.midstate);
    p.h7_limit = plan.h7_limit;
    std::uint64_t done = 0;
    while (done < range.count && !stop.load(std::memory_order_relaxed)) {
        for (int step = 0; step < 64 && done < range.count; ++step) {
            const std::uint32_t base = range.first + static_cast<std::uint32_t>(done);
            std::uint32_t w3[N], h7[N];
            for (int s = 0; s < N; ++s) w3[s] = nonce_to_w3(base + static_cast<std::uint32_t>(s));
            sha256d_h7_shani<N>(p, w3, h7);
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

#undef HF_ROUNDS4
#undef HF_SCHEDULE

template <int N>
class ShaniBackend final : public HashBackend {
public:
    explicit ShaniBackend(std::string name) : name_(std::move(name)) {}
    std::string_view name() const override { return name_; }
    Era era() const override { return Era::Cpu; }
    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        return scan_shani<N>(work, range, found, stop);
    }

private:
    std::string name_;
};

}  // namespace

std::unique_ptr<HashBackend> make_shani_backend() { return std::make_unique<ShaniBackend<kShaniStreams>>("shani"); }

std::unique_ptr<HashBackend> make_shani_backend_streams(int streams) {
    switch (streams) {
        case 1: return std::make_unique<ShaniBackend<1>>("shani-x1");
        case 2: return std::make_unique<ShaniBackend<2>>("shani-x2");
        case 3: return std::make_unique<ShaniBackend<3>>("shani-x3");
        case 4: return std::make_unique<ShaniBackend<4>>("shani-x4");
        default: return nullptr;
    }
}

}  // namespace hf
