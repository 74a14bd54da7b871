// Hybrid backends: SHA-NI streams and a SIMD lane vector of nonces in one thread, interleaved
// (core/hybrid_scan.hpp). They answer the open question "does interleaving SHA-NI with SIMD lanes
// beat either alone?" by measurement; dispatch uses one only when it measures fastest.
//
// shani+sse: 2 SHA-NI streams + 4 SSE lanes, all legacy-SSE encoded (compiled without AVX).
// shani+avx2: 2 SHA-NI streams + 8 AVX2 lanes. SHA-NI has only legacy-SSE encodings, so this mixes
//   SSE with VEX.256 code whose upper register halves are live, which CPUs penalise (Intel: state
//   transitions or false dependencies; measured on this machine's Zen 3 VM: about 50x slower).
//   vzeroupper cannot help inside the loop (it would erase the live AVX2 state); GCC emits it at
//   the function's exit so no dirty state leaks into the SSE-only code around it.
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
#pragma GCC target("sha,sse4.1,ssse3")

#include "core/simd_lanes_sse.hpp"
#include "core/hybrid_scan.hpp"

namespace hf::kernel {
namespace {

std::uint64_t scan_shani_sse(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                             const std::atomic<bool>& stop) {
    return scan_hybrid<2, U32x4>(work, range, found, stop);
}

}  // namespace
}  // namespace hf::kernel

#pragma GCC pop_options

namespace hf {

std::uint64_t scan_shani_avx2(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                              const std::atomic<bool>& stop);  // backend_hybrid_avx2.cpp

namespace {

class HybridBackend final : public HashBackend {
public:
    using ScanFn = std::uint64_t (*)(const ScanWork&, NonceRange, std::vector<std::uint32_t>&, const std::atomic<bool>&);
    HybridBackend(std::string_view name, ScanFn fn) : name_(name), fn_(fn) {}
    std::string_view name() const override { return name_; }
    Era era() const override { return Era::Cpu; }
    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        return fn_(work, range, found, stop);
    }

private:
    std::string_view name_;
    ScanFn fn_;
};

}  // namespace

std::unique_ptr<HashBackend> make_shani_sse_backend() {
    return std::make_unique<HybridBackend>("shani+sse", &kernel::scan_shani_sse);
}
std::unique_ptr<HashBackend> make_shani_avx2_backend() {
    return std::make_unique<HybridBackend>("shani+avx2", &scan_shani_avx2);
}

}  // namespace hf
