// The avx512 backend: 16 nonces in lockstep, one per 32-bit lane of a 512-bit register (the
// "GPU-style" warp of the avx2 backend, twice as wide). Same kernel (core/sha256d_kernel.hpp); the
// lane vector uses what AVX-512 adds for SHA-256: vprold (one-instruction rotate) and vpternlogd
// (any three-input boolean function in one instruction: the XOR of three rotations, Ch, Maj).
// Dispatched only when CPUID and XGETBV report AVX-512 F/VL/BW with ZMM state enabled by the OS.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/backends.hpp"
#include "core/hash_backend.hpp"
#include "core/sha256d_plan.hpp"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw")
// g++ 12's own AVX-512 headers trip -Wuninitialized on _mm512_undefined_epi32 (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "core/nonce_scan_loop.hpp"

namespace hf::kernel {
namespace {

struct U32x16 {
    static constexpr int kLanes = 16;
    __m512i v;
    static U32x16 set1(std::uint32_t x) { return {_mm512_set1_epi32(static_cast<int>(x))}; }
    static U32x16 iota() { return {_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)}; }
};
// Free functions, not in-class friends: GCC applies "#pragma GCC target" to these.
inline U32x16 operator+(U32x16 a, U32x16 b) { return {_mm512_add_epi32(a.v, b.v)}; }
inline U32x16 operator^(U32x16 a, U32x16 b) { return {_mm512_xor_si512(a.v, b.v)}; }
inline U32x16 operator&(U32x16 a, U32x16 b) { return {_mm512_and_si512(a.v, b.v)}; }
inline U32x16 operator|(U32x16 a, U32x16 b) { return {_mm512_or_si512(a.v, b.v)}; }
template <int N> inline U32x16 rotr(U32x16 x) { return {_mm512_ror_epi32(x.v, N)}; }
template <int N> inline U32x16 shr(U32x16 x) { return {_mm512_srli_epi32(x.v, N)}; }
// vpternlogd truth tables (bit i = f(a, b, c) with i = 4a + 2b + c): XOR3 0x96, Ch 0xCA, Maj 0xE8.
inline U32x16 xor3(U32x16 a, U32x16 b, U32x16 c) { return {_mm512_ternarylogic_epi32(a.v, b.v, c.v, 0x96)}; }
inline U32x16 choose(U32x16 e, U32x16 f, U32x16 g) { return {_mm512_ternarylogic_epi32(e.v, f.v, g.v, 0xCA)}; }
inline U32x16 majority(U32x16 a, U32x16 b, U32x16 c) { return {_mm512_ternarylogic_epi32(a.v, b.v, c.v, 0xE8)}; }
inline U32x16 byteswap(U32x16 x) {
    const __m512i swap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
    return {_mm512_shuffle_epi8(x.v, swap)};
}
inline std::uint32_t may_meet_mask(U32x16 h7, std::uint32_t limit) {
    return _mm512_cmple_epu32_mask(byteswap(h7).v, _mm512_set1_epi32(static_cast<int>(limit)));
}

std::uint64_t scan_avx512(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                          const std::atomic<bool>& stop) {
    return scan_lanes<U32x16>(work, range, found, stop);
}

}  // namespace
}  // namespace hf::kernel

#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace hf {
namespace {

class Avx512Backend final : public HashBackend {
public:
    std::string_view name() const override { return "avx512"; }
    Era era() const override { return Era::GpuStyle; }
    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        return kernel::scan_avx512(work, range, found, stop);
    }
};

}  // namespace

std::unique_ptr<HashBackend> make_avx512_backend() { return std::make_unique<Avx512Backend>(); }

}  // namespace hf
