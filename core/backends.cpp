#include "core/backends.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <time.h>

#include "core/backend_opencl.hpp"
#include "core/cpu_features.hpp"
#include "core/sha256d_plan.hpp"
#include "core/target.hpp"

namespace hf {
namespace {

bool always() { return true; }
bool has_shani() { return cpu_features().shani(); }
bool has_avx2() { return cpu_features().avx2; }
bool has_avx512() { return cpu_features().avx512(); }
bool has_avx512_shani() { return has_avx512() && has_shani(); }

// A header from fixed pseudo-random bytes (the self-test must be reproducible).
HeaderBytes random_header(std::mt19937& rng) {
    HeaderBytes h{};
    for (auto& b : h) b = static_cast<std::uint8_t>(rng());
    return h;
}

std::string nonces_text(const std::vector<std::uint32_t>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size() && i < 4; ++i) {
        out += ' ';
        out += std::to_string(v[i]);
    }
    if (v.size() > 4) out += " ...";
    return out;
}

}  // namespace

const std::vector<BackendInfo>& core_backends() {
    static const std::vector<BackendInfo> backends = {
        {"scalar", Era::Cpu, &always, &make_scalar_backend},
#if defined(__x86_64__)
        {"shani", Era::Cpu, &has_shani, &make_shani_backend},
        {"avx2", Era::GpuStyle, &has_avx2, &make_avx2_backend},
        {"avx512", Era::GpuStyle, &has_avx512, &make_avx512_backend},
        {"avx512+shani", Era::GpuStyle, &has_avx512_shani, &make_avx512_shani_backend},
#endif
    };
    return backends;
}

std::optional<BackendInfo> find_backend(std::span<const BackendInfo> backends, std::string_view name) {
    for (const auto& b : backends)
        if (b.name == name) return b;
    return std::nullopt;
}

std::string unsupported_reason(const BackendInfo& info) {
    return info.era == Era::Gpu ? opencl_unavailable_reason() : "not supported by this CPU";
}

std::string backend_self_test(const BackendInfo& info) {
    if (!info.supported()) return unsupported_reason(info);
    auto backend = info.create();
    const std::atomic<bool> no_stop{false};

    // 1. The genesis block (height 0): its nonce 2083236893 is the only one meeting difficulty 1
    //    among the nonces around it.
    const std::uint32_t genesis_nonce = kGenesisNonce;
    const ScanWork gw = ScanWork::from_header(genesis_block_header().serialize(), difficulty1_target());
    if (to_display_hex(reference_sha256d(gw, genesis_nonce)) !=
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
        return "the reference does not reproduce the genesis block hash";
    std::vector<std::uint32_t> found;
    const std::uint64_t hashed = backend->scan(gw, {genesis_nonce - 1003, 2011}, found, no_stop);
    if (hashed != 2011) return "genesis scan hashed " + std::to_string(hashed) + " nonces, expected 2011";
    if (found != std::vector<std::uint32_t>{genesis_nonce}) return "genesis scan found" + nonces_text(found);

    // 2. Random headers at an easy target (about 1 nonce in 16 qualifies, and the 32-bit early
    //    reject is exercised at its boundary): the exact found set must match the reference.
    std::mt19937 rng(20260101);
    const NonceRange ranges[] = {{0, 333}, {0xffffff00u, 256}, {0x12345671u, 517}};
    for (const NonceRange range : ranges) {
        const HeaderBytes header = random_header(rng);
        U256 target = U256::max() >> 4;
        target.set_limb(3, (target.limb(3) & 0xffffffff00000000ull) | (rng() & 0xffffffffull));
        const ScanWork w = ScanWork::from_header(header, target);
        std::vector<std::uint32_t> expect;
        for (std::uint64_t i = 0; i < range.count; ++i) {
            const std::uint32_t nonce = range.first + static_cast<std::uint32_t>(i);
            if (reference_meets_target(w, nonce)) expect.push_back(nonce);
        }
        found.clear();
        const std::uint64_t n = backend->scan(w, range, found, no_stop);
        std::sort(found.begin(), found.end(), [&](std::uint32_t a, std::uint32_t b) {
            return static_cast<std::uint32_t>(a - range.first) < static_cast<std::uint32_t>(b - range.first);
        });
        if (n != range.count) return "random scan hashed " + std::to_string(n) + " of " + std::to_string(range.count);
        if (found != expect)
            return "random header: found" + nonces_text(found) + " (" + std::to_string(found.size()) +
                   "), reference" + nonces_text(expect) + " (" + std::to_string(expect.size()) + ")";
    }
    return {};
}

bool backend_usable(const BackendInfo& backend) {
    static std::mutex mutex;
    static std::map<std::string, bool> cache;
    {
        std::lock_guard lock(mutex);
        if (auto it = cache.find(backend.name); it != cache.end()) return it->second;
    }
    const bool ok = backend.supported() && backend_self_test(backend).empty();
    std::lock_guard lock(mutex);
    cache[backend.name] = ok;
    return ok;
}

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <class Now>
Measurement measure_with(const BackendInfo& info, double duration, Now now, std::uint32_t first_nonce = 0) {
    auto backend = info.create();
    std::mt19937 rng(7);
    const ScanWork w = ScanWork::from_header(random_header(rng), U256{});  // target 0: nothing qualifies
    const std::atomic<bool> no_stop{false};
    std::vector<std::uint32_t> found;
    Measurement m;
    std::uint64_t chunk = 1024;
    std::uint32_t next = first_nonce;
    const double start = now();
    for (;;) {
        m.hashes += backend->scan(w, {next, chunk}, found, no_stop);
        next += static_cast<std::uint32_t>(chunk);
        m.seconds = now() - start;
        if (m.seconds >= duration) break;
        if (m.seconds < duration / 20) chunk *= 2;  // keep clock reads rare once the rate is known
    }
    return m;
}

}  // namespace

Measurement measure_backend(const BackendInfo& info, std::chrono::duration<double> duration) {
    const auto t0 = std::chrono::steady_clock::now();
    return measure_with(info, duration.count(), [t0] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    });
}

Measurement measure_backend(const BackendInfo& info, std::chrono::duration<double> duration, unsigned threads) {
    if (threads <= 1) return measure_backend(info, duration);
    std::vector<Measurement> each(threads);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            const auto t0 = std::chrono::steady_clock::now();
            // Disjoint nonces per thread, as the search engine would hand them out.
            each[t] = measure_with(info, duration.count(), [t0] {
                return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            }, t * (0xffffffffu / threads));
        });
    Measurement total;
    for (unsigned t = 0; t < threads; ++t) {
        workers[t].join();
        total.hashes += each[t].hashes;
        total.seconds = std::max(total.seconds, each[t].seconds);
    }
    return total;
}

Measurement measure_backend_cpu(const BackendInfo& info, std::chrono::duration<double> cpu_duration) {
    return measure_with(info, cpu_duration.count(), [] { return thread_cpu_seconds(); });
}

BackendInfo choose_backend(std::span<const BackendInfo> backends, std::chrono::milliseconds per_backend,
                           std::vector<CalibrationResult>* report) {
    std::vector<CalibrationResult> results;
    std::vector<const BackendInfo*> usable;
    for (const auto& b : backends) {
        CalibrationResult r;
        r.name = b.name;
        if (!b.supported()) {
            r.why_not = "not supported by this CPU";
        } else if (const std::string why = backend_self_test(b); !why.empty()) {
            r.why_not = "self-test failed: " + why;
        } else {
            r.usable = true;
        }
        results.push_back(r);
        usable.push_back(r.usable ? &b : nullptr);
    }
    constexpr int kRounds = 3;
    for (int round = 0; round < kRounds; ++round)
        for (std::size_t i = 0; i < results.size(); ++i)
            if (usable[i])
                results[i].hashrate = std::max(results[i].hashrate, measure_backend_cpu(*usable[i], per_backend / kRounds).rate());
    std::size_t best = results.size();
    for (std::size_t i = 0; i < results.size(); ++i)
        if (usable[i] && (best == results.size() || results[i].hashrate > results[best].hashrate)) best = i;
    if (report) report->insert(report->end(), results.begin(), results.end());
    if (best < results.size()) return *usable[best];
    return core_backends().front();
}

}  // namespace hf
