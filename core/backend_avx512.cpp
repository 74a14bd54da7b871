// The avx512 backend: 16 nonces in lockstep, one per 32-bit lane of a 512-bit register (the
// "GPU-style" warp of the avx2 backend, twice as wide). Same kernel (core/sha256d_kernel.hpp); the
// lane vector (simd_lanes_avx512.hpp) uses vprold and vpternlogd.
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
#include "core/simd_lanes_avx512.hpp"

namespace hf::kernel {
namespace {

template <class V>
std::uint64_t scan_avx512(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                          const std::atomic<bool>& stop) {
    return scan_lanes<V>(work, range, found, stop);
}

}  // namespace
}  // namespace hf::kernel

#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace hf {

std::unique_ptr<HashBackend> make_avx512_backend() { return make_avx512_backend_groups(1); }

std::unique_ptr<HashBackend> make_avx512_backend_groups(int groups) {
    if (groups == 2) return std::make_unique<KernelBackend<&kernel::scan_avx512<kernel::U32x16x2>>>("avx512-x2", Era::GpuStyle);
    return std::make_unique<KernelBackend<&kernel::scan_avx512<kernel::U32x16>>>("avx512", Era::GpuStyle);
}

}  // namespace hf
