// The scalar backend: portable C++, one nonce at a time (the CPU era). It runs the same kernel as
// the SIMD backends with a one-lane "vector", so every trick is in its inner loop too.
#include <memory>

#include "core/backends.hpp"
#include "core/nonce_scan_loop.hpp"

namespace hf {
namespace {

class ScalarBackend final : public HashBackend {
public:
    std::string_view name() const override { return "scalar"; }
    Era era() const override { return Era::Cpu; }
    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        return kernel::scan_lanes<kernel::U32x1>(work, range, found, stop);
    }
};

}  // namespace

std::unique_ptr<HashBackend> make_scalar_backend() { return std::make_unique<ScalarBackend>(); }

}  // namespace hf
