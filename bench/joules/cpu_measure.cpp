#include "bench/joules/cpu_measure.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/sha256_rounds.hpp"
#include "core/target.hpp"

namespace hf::joules {

ScanWork genesis_scan_work() {
    return ScanWork::from_header(genesis_block_header().serialize(), difficulty1_target());
}

BackendRun run_backend(const BackendInfo& info, unsigned threads, double seconds, RaplReader* rapl) {
    if (threads == 0) threads = 1;
    const ScanWork work = genesis_scan_work();
    std::vector<std::unique_ptr<HashBackend>> backends;
    for (unsigned t = 0; t < threads; ++t) backends.push_back(info.create());

    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> next_chunk{0};
    std::atomic<std::uint64_t> total{0};
    constexpr std::uint64_t kChunk = 1u << 16;  // about 20 ms of scalar hashing: stop is prompt

    BackendRun run;
    std::optional<RaplSample> before;
    if (rapl && rapl->available()) before = rapl->sample();

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            std::vector<std::uint32_t> found;
            std::uint64_t mine = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                const std::uint64_t first = (next_chunk.fetch_add(1) * kChunk) & 0xffffffffu;
                mine += backends[t]->scan(work, NonceRange{static_cast<std::uint32_t>(first), kChunk}, found, stop);
                found.clear();
            }
            total += mine;
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& w : workers) w.join();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.hashes = total.load();

    if (rapl && rapl->available()) {
        const auto after = rapl->sample();
        if (before && after) {
            run.energy = rapl->energy_between(*before, *after);
        } else {
            run.rapl_note = rapl->why_unavailable();
        }
    } else if (rapl) {
        run.rapl_note = rapl->why_unavailable();
    }
    return run;
}

}  // namespace hf::joules
