#include "core/cpu_features.hpp"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HASHFORGE_X86 1
#endif

namespace hf {
namespace {

#ifdef HASHFORGE_X86
std::uint64_t read_xcr0() {
    std::uint32_t eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return std::uint64_t{edx} << 32 | eax;
}
#endif

CpuFeatures detect() {
    CpuFeatures f;
#ifdef HASHFORGE_X86
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
    const unsigned max_leaf = a;
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    f.vendor = vendor;

    __get_cpuid(1, &a, &b, &c, &d);
    f.ssse3 = (c >> 9) & 1;
    f.sse41 = (c >> 19) & 1;
    const bool osxsave = (c >> 27) & 1;
    const bool avx = (c >> 28) & 1;
    const std::uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    const bool os_ymm = (xcr0 & 0x6) == 0x6;      // XMM and YMM state
    const bool os_zmm = (xcr0 & 0xe6) == 0xe6;    // plus opmask, ZMM_Hi256, Hi16_ZMM

    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f.sha = (b >> 29) & 1;
        f.avx2 = avx && os_ymm && ((b >> 5) & 1);
        f.avx512f = os_zmm && ((b >> 16) & 1);
        f.avx512bw = f.avx512f && ((b >> 30) & 1);
        f.avx512vl = f.avx512f && ((b >> 31) & 1);
        f.avx512vpopcntdq = f.avx512f && ((c >> 14) & 1);
    }

    unsigned max_ext = __get_cpuid_max(0x80000000u, nullptr);
    if (max_ext >= 0x80000004u) {
        char brand[49] = {};
        for (unsigned i = 0; i < 3; ++i) {
            __get_cpuid(0x80000002u + i, &a, &b, &c, &d);
            std::memcpy(brand + 16 * i, &a, 4);
            std::memcpy(brand + 16 * i + 4, &b, 4);
            std::memcpy(brand + 16 * i + 8, &c, 4);
            std::memcpy(brand + 16 * i + 12, &d, 4);
        }
        f.brand = brand;
        while (!f.brand.empty() && f.brand.back() == ' ') f.brand.pop_back();
    }
#endif
    return f;
}

}  // namespace

std::vector<std::string> CpuFeatures::names() const {
    std::vector<std::string> out;
    if (ssse3) out.push_back("ssse3");
    if (sse41) out.push_back("sse4.1");
    if (sha) out.push_back("sha");
    if (avx2) out.push_back("avx2");
    if (avx512f) out.push_back("avx512f");
    if (avx512bw) out.push_back("avx512bw");
    if (avx512vpopcntdq) out.push_back("avx512vpopcntdq");
    if (avx512vl) out.push_back("avx512vl");
    return out;
}

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

}  // namespace hf
