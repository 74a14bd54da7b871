// The search engine. Work is handed out in units: unit u of a job is nonce slice (u mod T) of
// header number (u div T), T being the thread count, so the 2^32 nonces of one header are split
// across the workers and every unit is a header/nonce range no one else gets. Header number h is
// version-rolling slot (h mod V) of extranonce2 value (first + h div V), V = 2^(bits in the mask).
// A worker takes the next unit with one atomic add, builds that header (coinbase, merkle root,
// midstate) and scans its slice in pieces, checking its stop flag between pieces and inside the
// backend. set_job swaps the job under a mutex and raises every worker's stop flag.
#include "core/search_engine.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "core/hex.hpp"
#include "core/sha256.hpp"
#include "core/sha256_rounds.hpp"
#include "core/sha256d_plan.hpp"
#include "core/target.hpp"

namespace hf {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kClosedBit = std::uint64_t{1} << 63;  // unit counter of a replaced job
// A slice is scanned in pieces so hashes are counted as they happen; the piece size adapts to the
// backend's speed so a piece takes about 5-20 ms.
constexpr std::uint64_t kMinPiece = std::uint64_t{1} << 12;
constexpr auto kPieceFast = std::chrono::milliseconds(5);
constexpr auto kPieceSlow = std::chrono::milliseconds(20);
constexpr auto kMaxBackoff = std::chrono::seconds(32);  // between attempts to remake a failed backend

struct JobState {
    EngineJob job;
    std::uint64_t generation = 0;
    U256 target;
    unsigned slices = 1;                // nonce slices per header (= threads)
    std::uint64_t version_slots = 1;    // 2^popcount(mask)
    std::uint64_t en2_first = 0;        // extranonce2 counter of header 0
    std::uint64_t en2_end = 0;          // counter values available at this width
    Clock::time_point issued;
    std::atomic<std::uint64_t> next_unit{0};
};

// BIP 310: slot i of the mask's bits, XOR the job's own bits so slot 0 is the job's version.
std::uint32_t version_for_slot(const EngineJob& job, std::uint64_t slot) {
    std::uint32_t bits = 0;
    std::uint32_t mask = job.version_mask;
    for (int i = 0; mask != 0 && slot != 0; mask &= mask - 1, ++i, slot >>= 1)
        if (slot & 1) bits |= mask & (~mask + 1);  // lowest remaining mask bit
    return job.job.version ^ bits;
}

std::vector<std::uint8_t> extranonce2_bytes(std::uint64_t counter, std::size_t width) {
    std::vector<std::uint8_t> out(width, 0);
    for (std::size_t i = 0; i < width && i < 8; ++i) out[i] = static_cast<std::uint8_t>(counter >> (8 * i));
    return out;  // little-endian counter, as cgminer rolls it
}

}  // namespace

struct SearchEngine::Impl {
    EngineConfig config;
    unsigned thread_count = 1;

    mutable std::mutex mutex;  // guards job, generation, samples
    std::condition_variable wake;
    std::shared_ptr<JobState> job;
    std::uint64_t generation = 0;
    bool quit = false;

    std::atomic<std::uint64_t> last_clean_generation{0};
    std::vector<std::unique_ptr<std::atomic<bool>>> stop_flags;
    std::vector<std::unique_ptr<std::atomic<std::uint64_t>>> hash_counts;
    std::atomic<std::uint64_t> hardware_errors{0}, shares{0}, stale_shares{0}, backend_errors{0};
    std::string last_backend_error;  // guarded by mutex
    std::atomic<std::int64_t> switch_ns{0};          // latest generation's pick-up delay so far
    std::atomic<std::uint64_t> switch_generation{0};

    Clock::time_point started = Clock::now();
    std::deque<std::pair<Clock::time_point, std::uint64_t>> samples;  // (time, total hashes), ~1 s apart
    std::atomic<std::int64_t> last_sample_ns{0};
    std::vector<std::thread> workers;

    std::uint64_t total_hashes() const {
        std::uint64_t t = 0;
        for (const auto& c : hash_counts) t += c->load(std::memory_order_relaxed);
        return t;
    }

    void maybe_sample() {
        const auto now = Clock::now();
        const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count();
        std::int64_t last = last_sample_ns.load(std::memory_order_relaxed);
        if (ns - last < 1'000'000'000 || !last_sample_ns.compare_exchange_strong(last, ns)) return;
        std::lock_guard lock(mutex);
        samples.emplace_back(now, total_hashes());
        while (samples.size() > 2 && now - samples[1].first > std::chrono::minutes(16)) samples.pop_front();
    }

    // Installs a new job state; caller holds the mutex.
    std::uint64_t install(EngineJob ej) {
        auto next = std::make_shared<JobState>();
        next->generation = ++generation;
        next->target = difficulty_to_target(ej.difficulty);
        next->slices = thread_count;
        const int mask_bits = std::popcount(ej.version_mask);
        next->version_slots = mask_bits >= 32 ? (std::uint64_t{1} << 32) : (std::uint64_t{1} << mask_bits);
        next->en2_end = ej.extranonce2_size >= 8 ? ~std::uint64_t{0} : std::uint64_t{1} << (8 * ej.extranonce2_size);
        if (job) {
            // Close the old job's unit counter: the value returned is exactly how many units it
            // handed out. The same job again (a difficulty change, a repeated notify) continues
            // with the next extranonce2 so no header is hashed twice.
            const std::uint64_t used = job->next_unit.fetch_or(kClosedBit) & ~kClosedBit;
            const EngineJob& old = job->job;
            if (old.job.job_id == ej.job.job_id && old.extranonce1 == ej.extranonce1 &&
                old.extranonce2_size == ej.extranonce2_size && old.job.coinb1 == ej.job.coinb1 &&
                old.job.coinb2 == ej.job.coinb2) {
                const std::uint64_t headers = (used + job->slices - 1) / job->slices;
                next->en2_first = job->en2_first + (headers + job->version_slots - 1) / job->version_slots;
            }
        }
        if (ej.job.clean_jobs) last_clean_generation.store(next->generation);
        next->job = std::move(ej);
        next->issued = Clock::now();
        job = std::move(next);
        switch_generation.store(job->generation);
        switch_ns.store(0);
        for (auto& f : stop_flags) f->store(true);
        wake.notify_all();
        return job->generation;
    }

    void report_candidate(const JobState& js, const std::vector<std::uint8_t>& en2, std::uint32_t version,
                          const HeaderBytes& scanned, std::uint32_t nonce) {
        const EngineJob& ej = js.job;
        const ShareWork w = compute_share(ej.job, ej.extranonce1, en2, ej.job.ntime, nonce, version);
        HeaderBytes expect = scanned;
        sha256::store_le32(expect.data() + kHeaderNonceOffset, nonce);
        if (w.header.serialize() != expect || !hash_meets_target(w.hash, js.target)) {
            hardware_errors.fetch_add(1);
            return;
        }
        FoundShare s;
        s.job_id = ej.job.job_id;
        s.extranonce2 = en2;
        s.ntime = ej.job.ntime;
        s.nonce = nonce;
        s.version = version;
        s.version_bits = version & ej.version_mask;
        s.hash = w.hash;
        s.share_difficulty = hash_difficulty(w.hash);
        s.target_difficulty = ej.difficulty;
        s.job_generation = js.generation;
        s.stale = js.generation < last_clean_generation.load();
        shares.fetch_add(1);
        if (s.stale) stale_shares.fetch_add(1);
        if (config.on_share) config.on_share(s);
    }

    void note_pickup(const JobState& js) {
        if (switch_generation.load() != js.generation) return;
        const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - js.issued).count();
        std::int64_t prev = switch_ns.load();
        while (ns > prev && !switch_ns.compare_exchange_weak(prev, ns)) {
        }
    }

    // A worker whose backend fails (an OpenCL error, a device gone, a backend that cannot be made)
    // pauses, not the process: the error is counted and reported, and after a back-off (1 s,
    // doubling to kMaxBackoff; back to 1 s once a backend has run for a minute) the worker makes a
    // new backend and takes the newest job again, as cgminer restarts a sick GPU.
    void work(unsigned index) {
        auto backoff = std::chrono::seconds(1);
        for (;;) {
            const auto began = Clock::now();
            try {
                hash_until_quit(index);
                return;
            } catch (const std::exception& e) {
                if (Clock::now() - began > std::chrono::minutes(1)) backoff = std::chrono::seconds(1);
                report_backend_error(index, e.what(), backoff);
            }
            std::unique_lock lock(mutex);
            if (wake.wait_for(lock, backoff, [&] { return quit; })) return;
            backoff = std::min(backoff * 2, kMaxBackoff);
        }
    }

    void report_backend_error(unsigned index, const std::string& what, std::chrono::seconds retry) {
        backend_errors.fetch_add(1);
        const std::string text = "thread " + std::to_string(index) + ": backend " + config.backend.name + " failed (" + what +
                                 "); a new one in " + std::to_string(retry.count()) + " s";
        {
            std::lock_guard lock(mutex);
            last_backend_error = text;
        }
        if (config.on_backend_error) config.on_backend_error(text);
    }

    void hash_until_quit(unsigned index) {
        std::atomic<bool>& stop = *stop_flags[index];
        std::atomic<std::uint64_t>& counter = *hash_counts[index];
        auto backend = config.backend.create();
        std::vector<std::uint32_t> found;
        std::uint64_t seen_generation = 0;
        std::uint64_t piece_size = kMinPiece;  // grows to 5-20 ms per piece within a few pieces
        for (;;) {
            std::shared_ptr<JobState> js;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return quit || (job && job->generation != seen_generation) || (job && !stop.load()); });
                if (quit) return;
                stop.store(false);
                js = job;
            }
            if (js->generation != seen_generation) {
                seen_generation = js->generation;
                note_pickup(*js);
            }
            const std::uint64_t unit = js->next_unit.fetch_add(1);
            if (unit & kClosedBit) continue;  // replaced while we looked: take the new job
            const std::uint64_t header_index = unit / js->slices;
            const std::uint64_t en2_counter = js->en2_first + header_index / js->version_slots;
            if (en2_counter >= js->en2_end || en2_counter < js->en2_first) {
                // Every header of this job at this extranonce2 width is done: wait for a new job
                // rather than hash one twice.
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return quit || job != js; });
                continue;
            }
            const EngineJob& ej = js->job;
            const std::uint32_t version = version_for_slot(ej, header_index % js->version_slots);
            const std::vector<std::uint8_t> en2 = extranonce2_bytes(en2_counter, ej.extranonce2_size);
            const std::vector<std::uint8_t> coinbase = build_coinbase(ej.job, ej.extranonce1, en2);
            const Hash256 root = merkle_root_from_branch(sha256::hash256d(coinbase), ej.job.merkle_branch);
            const HeaderBytes header = build_header(ej.job, root, ej.job.ntime, 0, version).serialize();
            const ScanWork scan_work = ScanWork::from_header(header, js->target);

            const unsigned slice = static_cast<unsigned>(unit % js->slices);
            const std::uint64_t slice_size = (std::uint64_t{1} << 32) / js->slices;
            const std::uint64_t first = slice * slice_size;
            const std::uint64_t end = slice + 1 == js->slices ? (std::uint64_t{1} << 32) : first + slice_size;
            for (std::uint64_t at = first; at < end && !stop.load(std::memory_order_relaxed);) {
                const NonceRange piece{static_cast<std::uint32_t>(at), std::min(piece_size, end - at)};
                found.clear();
                const auto t0 = Clock::now();
                const std::uint64_t n = backend->scan(scan_work, piece, found, stop);
                const auto took = Clock::now() - t0;
                if (n == piece.count && took < kPieceFast && piece_size < (std::uint64_t{1} << 32)) piece_size *= 2;
                else if (took > kPieceSlow && piece_size > kMinPiece) piece_size /= 2;
                counter.fetch_add(n, std::memory_order_relaxed);
                at += n;
                for (const std::uint32_t nonce : found) report_candidate(*js, en2, version, header, nonce);
                maybe_sample();
            }
        }
    }
};

SearchEngine::SearchEngine(EngineConfig config) : impl_(std::make_unique<Impl>()) {
    impl_->config = std::move(config);
    if (!impl_->config.backend.create) throw std::invalid_argument("search engine: no backend given");
    unsigned n = impl_->config.threads;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    impl_->thread_count = n;
    impl_->samples.emplace_back(impl_->started, 0);
    for (unsigned i = 0; i < n; ++i) {
        impl_->stop_flags.push_back(std::make_unique<std::atomic<bool>>(false));
        impl_->hash_counts.push_back(std::make_unique<std::atomic<std::uint64_t>>(0));
    }
    for (unsigned i = 0; i < n; ++i) impl_->workers.emplace_back([this, i] { impl_->work(i); });
}

SearchEngine::~SearchEngine() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->quit = true;
        for (auto& f : impl_->stop_flags) f->store(true);
    }
    impl_->wake.notify_all();
    for (auto& t : impl_->workers) t.join();
}

std::uint64_t SearchEngine::set_job(EngineJob job) {
    if (job.extranonce2_size == 0) throw std::invalid_argument("search engine: extranonce2_size must be at least 1");
    (void)difficulty_to_target(job.difficulty);  // throws on a difficulty that is not finite and positive
    std::lock_guard lock(impl_->mutex);
    return impl_->install(std::move(job));
}

std::uint64_t SearchEngine::set_difficulty(double difficulty) {
    (void)difficulty_to_target(difficulty);
    std::lock_guard lock(impl_->mutex);
    if (!impl_->job) return impl_->generation;
    EngineJob next = impl_->job->job;
    next.difficulty = difficulty;
    next.job.clean_jobs = false;  // earlier shares stay valid
    return impl_->install(std::move(next));
}

void SearchEngine::pause() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->job) impl_->job->next_unit.fetch_or(kClosedBit);
    impl_->job.reset();
    for (auto& f : impl_->stop_flags) f->store(true);
}

unsigned SearchEngine::threads() const { return impl_->thread_count; }
std::string_view SearchEngine::backend_name() const { return impl_->config.backend.name; }

HashrateSnapshot SearchEngine::hashrate() const {
    HashrateSnapshot s;
    const auto now = Clock::now();
    s.total_hashes = impl_->total_hashes();
    s.seconds = std::chrono::duration<double>(now - impl_->started).count();
    s.rate_total = s.seconds > 0 ? static_cast<double>(s.total_hashes) / s.seconds : 0;
    {
        std::lock_guard lock(impl_->mutex);
        // Rate over a window: from the newest sample at least that old (or the start) until now.
        auto rate_over = [&](std::chrono::seconds window) {
            auto from = impl_->samples.front();
            for (const auto& smp : impl_->samples) {
                if (now - smp.first < window) break;
                from = smp;
            }
            const double dt = std::chrono::duration<double>(now - from.first).count();
            return dt > 0 ? static_cast<double>(s.total_hashes - from.second) / dt : 0.0;
        };
        s.rate_5s = rate_over(std::chrono::seconds(5));
        s.rate_1m = rate_over(std::chrono::seconds(60));
        s.rate_15m = rate_over(std::chrono::seconds(900));
        s.last_backend_error = impl_->last_backend_error;
    }
    s.backend_errors = impl_->backend_errors.load();
    s.hardware_errors = impl_->hardware_errors.load();
    s.shares = impl_->shares.load();
    s.stale_shares = impl_->stale_shares.load();
    s.threads = impl_->thread_count;
    s.last_job_switch_ms = static_cast<double>(impl_->switch_ns.load()) / 1e6;
    return s;
}

}  // namespace hf
