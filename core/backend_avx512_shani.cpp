// The avx512+shani backend: one thread runs 16 nonces in AVX-512 lanes and N more through the SHA
// unit, their instructions woven four rounds at a time (core/hybrid_scan.hpp) so the out-of-order
// core can feed the SHA unit between vector rounds. On CPUs without AVX-512 the same idea with SSE
// or AVX2 lanes lost (commit 31b85c9); whether it wins here is measured, not assumed.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "core/backends.hpp"
#include "core/hash_backend.hpp"
#include "core/sha256d_plan.hpp"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,sha,sse4.1,ssse3")
// g++ 12's own AVX-512 headers trip -Wuninitialized on _mm512_undefined_epi32 (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "core/sha256d_kernel.hpp"
#include "core/shani_kernel.hpp"
#include "core/simd_lanes_avx512.hpp"
#include "core/hybrid_scan.hpp"

namespace hf::kernel {
namespace {

template <int N>
std::uint64_t scan_avx512_shani(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                                const std::atomic<bool>& stop) {
    return scan_hybrid<N, U32x16>(work, range, found, stop);
}

}  // namespace
}  // namespace hf::kernel

#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace hf {
namespace {

template <int N> std::unique_ptr<HashBackend> make(std::string_view name) {
    return std::make_unique<KernelBackend<&kernel::scan_avx512_shani<N>>>(name, Era::GpuStyle);
}

}  // namespace

// One SHA-NI stream: with the short-chain vector kernel (sha256d_kernel.hpp) the second stream
// costs more vector time than it adds (docs/performance-kernels.md).
std::unique_ptr<HashBackend> make_avx512_shani_backend() { return make<1>("avx512+shani"); }

std::unique_ptr<HashBackend> make_avx512_shani_backend_streams(int streams) {
    switch (streams) {
        case 1: return make<1>("avx512+shani-x1");
        case 2: return make<2>("avx512+shani-x2");
        default: return make<3>("avx512+shani-x3");
    }
}

}  // namespace hf
