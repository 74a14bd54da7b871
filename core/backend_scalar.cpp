// The scalar backend: portable C++, one nonce at a time (the CPU era). It runs the same kernel as
// the SIMD backends with a one-lane "vector", so every trick is in its inner loop too.
#include <memory>

#include "core/backends.hpp"
#include "core/nonce_scan_loop.hpp"

namespace hf {

std::unique_ptr<HashBackend> make_scalar_backend() {
    return std::make_unique<KernelBackend<&kernel::scan_lanes<kernel::U32x1>>>("scalar", Era::Cpu);
}

}  // namespace hf
