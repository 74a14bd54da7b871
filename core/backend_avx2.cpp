// The avx2 backend: 8 nonces in lockstep, one per 32-bit lane of a 256-bit register: the way a GPU
// runs a warp, every lane executing the same instruction on its own nonce ("GPU-style").
// The kernel is core/sha256d_kernel.hpp; only the lane vector (simd_lanes_avx2.hpp) is AVX2-specific. It is
// compiled for AVX2 by the pragma (not by a per-file -mavx2, so nothing else in this file, and no
// inline function shared with other files, can pick up AVX2 instructions), and only dispatched
// after cpu_features() reports AVX2 with the OS saving YMM state.
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
#pragma GCC target("avx2")

#include "core/nonce_scan_loop.hpp"
#include "core/simd_lanes_avx2.hpp"

namespace hf::kernel {
namespace {

std::uint64_t scan_avx2(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                        const std::atomic<bool>& stop) {
    return scan_lanes<U32x8>(work, range, found, stop);
}

}  // namespace
}  // namespace hf::kernel

#pragma GCC pop_options

namespace hf {

std::unique_ptr<HashBackend> make_avx2_backend() {
    return std::make_unique<KernelBackend<&kernel::scan_avx2>>("avx2", Era::GpuStyle);
}

}  // namespace hf
