// What this CPU (and its operating system) lets us run. Checked with CPUID and XGETBV, so a
// kernel that has not enabled the AVX-512 register state is treated as having no AVX-512.
#pragma once

#include <string>
#include <vector>

namespace hf {

struct CpuFeatures {
    bool sse41 = false;
    bool ssse3 = false;
    bool sha = false;       // SHA-NI: sha256rnds2, sha256msg1, sha256msg2
    bool avx2 = false;
    bool avx512f = false;
    bool avx512vl = false;
    bool avx512bw = false;
    bool avx512vpopcntdq = false;  // vpopcntd/q: the hardware model's toggle count uses it
    std::string vendor;
    std::string brand;

    // Everything the SHA-NI code paths use (they also need SSE4.1 and SSSE3 shuffles).
    bool shani() const { return sha && sse41 && ssse3; }
    bool avx512() const { return avx512f && avx512vl && avx512bw; }  // what the AVX-512 backend uses

    std::vector<std::string> names() const;  // e.g. {"sse4.1", "sha", "avx2"}
};

// Detected once, then cached.
const CpuFeatures& cpu_features();

}  // namespace hf
