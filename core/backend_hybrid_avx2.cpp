// The shani+avx2 hybrid's scan (see backend_hybrid.cpp for why it is measured, not assumed).
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/hash_backend.hpp"
#include "core/sha256d_plan.hpp"

#pragma GCC push_options
#pragma GCC target("avx2,sha,sse4.1,ssse3")

#include "core/simd_lanes_avx2.hpp"
#include "core/hybrid_scan.hpp"

namespace hf::kernel {
namespace {

std::uint64_t scan_avx2_hybrid(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                               const std::atomic<bool>& stop) {
    return scan_hybrid<2, U32x8>(work, range, found, stop);
}

}  // namespace
}  // namespace hf::kernel

#pragma GCC pop_options

namespace hf {

std::uint64_t scan_shani_avx2(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                              const std::atomic<bool>& stop) {
    return kernel::scan_avx2_hybrid(work, range, found, stop);
}

}  // namespace hf
