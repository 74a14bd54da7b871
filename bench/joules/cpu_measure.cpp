#include "bench/joules/cpu_measure.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/sha256_rounds.hpp"
#include "core/target.hpp"

namespace hf::joules {

ScanWork genesis_scan_work() {
    BlockHeader h;
    h.version = 1;
    h.merkle_root = from_display_hex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "merkle root");
    h.time = 1231006505;
    h.bits = 0x1d00ffff;
    ScanWork w;
    w.header = h.serialize();
    w.midstate = header_midstate(w.header);
    for (int i = 0; i < 3; ++i) w.tail[i] = sha256::load_be32(w.header.data() + kHeaderMerkleTailOffset + 4 * i);
    w.target = difficulty1_target();
    return w;
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
