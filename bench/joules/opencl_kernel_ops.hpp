// The operations per nonce of the OpenCL kernel hashforge runs (core/opencl/sha256d.cl), counted
// by compiling that very source as C++ with its 32-bit `word` replaced by an OpGraph value: the
// counting run hashes a real nonce (checked against core's plan_h7) and counts, by construction,
// every operation of the source that depends on the nonce and reaches the early-exit test. The
// compiler of a real device may do better (e.g. reassociate constants) but not need more.
#pragma once

#include <cstdint>

#include "bench/joules/op_graph.hpp"
#include "core/hash_backend.hpp"

namespace hf::joules {

struct OpenClKernelTrace {
    std::uint32_t h7 = 0;       // the kernel's H7 for this nonce (big-endian word, as core's plan_h7)
    bool candidate = false;     // the kernel would report it (byteswap(H7) <= the target's top 32 bits)
    OpCounts ops;               // per nonce on the ISA: nonce byte swap, sha256d to H7, the test
};

OpenClKernelTrace trace_opencl_kernel(const ScanWork& work, std::uint32_t nonce, const IsaFeatures& isa);

}  // namespace hf::joules
