#include "hw_model/host/device_miner.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/target.hpp"
#include "core/work.hpp"

namespace hf::hw::host {

using Clock = std::chrono::steady_clock;

struct DeviceMiner::Sent {
    std::uint64_t tag = 0;
    std::uint64_t generation = 0;
    std::shared_ptr<const EngineJob> job;
    std::vector<std::uint8_t> extranonce2;
};

namespace {

constexpr std::size_t kSentKept = 256;  // more than the 16-32 job ids a chip can hold live

std::vector<std::uint8_t> extranonce2_bytes(std::uint64_t counter, std::size_t width) {
    std::vector<std::uint8_t> out(width, 0);
    for (std::size_t i = 0; i < width && i < 8; ++i) out[i] = static_cast<std::uint8_t>(counter >> (8 * i));
    return out;  // a little-endian counter, as the search engine and cgminer roll it
}

// How often to send a fresh job: half the time the chain needs to sweep one (ESP-Miner's
// calculate_bm_timeout_ms), but never more often than the UART can carry it with room for results.
double job_interval_seconds(const ModelInfo& m, unsigned chips, double mhz, unsigned baud) {
    const double cores_up = std::bit_ceil(m.cores), small_up = std::bit_ceil(m.cores * m.sub_cores);
    const double versions = m.full_header_jobs ? 65536.0 : 4.0;
    const double serial_versions = versions / (small_up / cores_up);
    const double serial_nonces = 4294967296.0 / cores_up / std::bit_ceil(std::max(1u, chips));
    const double sweep_s = serial_versions * serial_nonces / (mhz * 1e6);
    const double job_bytes = m.full_header_jobs ? 88 : 150;
    const double wire_s = job_bytes * 10 / baud;
    return std::clamp(0.5 * sweep_s, 4 * wire_s, 5.0);
}

}  // namespace

DeviceOptions parse_device_spec(const std::string& spec) {
    const auto colon = spec.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
        throw std::invalid_argument("--device wants MODEL:PATH (bm1366:/dev/ttyUSB0 or bm1397:PATH), got '" + spec + "'");
    DeviceOptions o;
    const auto model = parse_chip_model(spec.substr(0, colon));
    if (!model) throw std::invalid_argument("--device: unknown chip model '" + spec.substr(0, colon) + "' (bm1366 or bm1397)");
    o.model = *model;
    o.path = spec.substr(colon + 1);
    return o;
}

DeviceMiner::DeviceMiner(DeviceOptions options, ShareCallback on_share, LogCallback log)
    : options_(std::move(options)), on_share_(std::move(on_share)), log_(std::move(log)) {
    port_ = std::make_unique<SerialPort>(options_.path, options_.baud);
    host_ = std::make_unique<Bm13xxHost>(*port_, options_.model);
    const ModelInfo& m = host_->info();
    const unsigned found = host_->init(options_.chips, options_.frequency_mhz.value_or(m.default_frequency_mhz), 1);
    job_interval_s_ = job_interval_seconds(m, found, host_->frequency_mhz(), options_.baud);
    if (log_) {
        char line[200];
        std::snprintf(line, sizeof line, "%u %s chip(s) answered on %s; addresses %u apart, PLL %.1f MHz, a new job every %.3g s",
                      found, m.name, options_.path.c_str(), host_->address_interval(), host_->frequency_mhz(), job_interval_s_);
        log_(line);
    }
    thread_ = std::thread([this] { run(); });
}

DeviceMiner::~DeviceMiner() {
    quit_ = true;
    if (thread_.joinable()) thread_.join();
}

std::string DeviceMiner::name() const {
    char b[200];
    std::snprintf(b, sizeof b, "%s x%u @ %.0f MHz on %s", host_->info().name, host_->chips(), host_->frequency_mhz(),
                  options_.path.c_str());
    return b;
}

std::uint64_t DeviceMiner::set_job(EngineJob job) {
    if (job.extranonce2_size == 0) throw std::invalid_argument("device: extranonce2_size must be at least 1");
    (void)difficulty_to_target(job.difficulty);
    std::lock_guard lock(mutex_);
    const bool same = job_ && job_->job.job_id == job.job.job_id && job_->extranonce1 == job.extranonce1;
    if (!same) en2_counter_ = 0;
    ++generation_;
    if (job.job.clean_jobs) last_clean_ = generation_;
    job_ = std::move(job);
    job_changed_ = true;
    return generation_;
}

void DeviceMiner::pause() {
    std::lock_guard lock(mutex_);
    job_.reset();
}

// Sends the next header: the current job with the next extranonce2.
void DeviceMiner::send_next(bool fresh) {
    auto sent = std::make_shared<Sent>();
    {
        std::lock_guard lock(mutex_);
        if (!job_) return;
        sent->job = std::make_shared<const EngineJob>(*job_);
        sent->generation = generation_;
        sent->extranonce2 = extranonce2_bytes(en2_counter_++, job_->extranonce2_size);
        sent->tag = next_tag_++;
        sent_.push_back(sent);
        while (sent_.size() > kSentKept) sent_.pop_front();
        job_changed_ = false;
        ++jobs_sent_;
    }
    const EngineJob& ej = *sent->job;
    // The chips' ticket: the pool's difficulty rounded down to a power of two (at least 1), so
    // every share the pool wants comes back.
    const double d = std::clamp(std::floor(ej.difficulty), 1.0, 2147483648.0);
    if (std::bit_floor(static_cast<std::uint64_t>(d)) != host_->ticket_difficulty()) host_->set_ticket_difficulty(d);
    HostJob hj;
    hj.header = compute_share(ej.job, ej.extranonce1, sent->extranonce2, ej.job.ntime, 0, ej.job.version).header.serialize();
    hj.version_mask = ej.version_mask;
    hj.tag = sent->tag;
    host_->send_job(hj, fresh && ej.job.clean_jobs);
}

void DeviceMiner::handle(const HostResult& r) {
    std::shared_ptr<Sent> sent;
    std::uint64_t last_clean = 0;
    {
        std::lock_guard lock(mutex_);
        results_.emplace_back(Clock::now(), r.zero_bits);
        while (results_.size() > 2 && Clock::now() - results_.front().first > std::chrono::minutes(16)) results_.pop_front();
        ++results_total_;
        floor_bits_ = std::min(floor_bits_, r.zero_bits);
        for (const auto& s : sent_)
            if (s->tag == r.job.tag) sent = s;
        last_clean = last_clean_;
    }
    if (!sent) return;  // older than anything we keep: the pool would call it stale anyway
    const EngineJob& ej = *sent->job;
    if (!hash_meets_target(r.hash, difficulty_to_target(ej.difficulty))) return;  // below the pool's difficulty
    // Rebuild the share from the pool's job alone and check it hashes as the result did.
    const ShareWork w = compute_share(ej.job, ej.extranonce1, sent->extranonce2, ej.job.ntime, r.nonce, r.version);
    if (w.hash != r.hash) return;
    FoundShare s;
    s.job_id = ej.job.job_id;
    s.extranonce2 = sent->extranonce2;
    s.ntime = ej.job.ntime;
    s.nonce = r.nonce;
    s.version = r.version;
    s.version_bits = r.version & ej.version_mask;
    s.hash = w.hash;
    s.share_difficulty = hash_difficulty(w.hash);
    s.target_difficulty = ej.difficulty;
    s.job_generation = sent->generation;
    s.stale = sent->generation < last_clean;
    {
        std::lock_guard lock(mutex_);
        ++shares_;
    }
    if (on_share_) on_share_(s);
}

void DeviceMiner::run() {
    auto last_send = Clock::now();
    while (!quit_.load()) {
        try {
            bool changed = false, have = false;
            {
                std::lock_guard lock(mutex_);
                changed = job_changed_;
                have = job_.has_value();
            }
            if (changed || (have && Clock::now() - last_send >= std::chrono::duration<double>(job_interval_s_))) {
                send_next(changed);
                last_send = Clock::now();
            }
            for (const auto& r : host_->poll(10)) handle(r);
            std::lock_guard lock(mutex_);
            last_stats_.host = host_->counters();
        } catch (const std::exception& e) {
            if (log_) log_(std::string("device ") + options_.path + ": " + e.what() + " (retrying in 1 s)");
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

HashrateSnapshot DeviceMiner::hashrate() const {
    std::lock_guard lock(mutex_);
    HashrateSnapshot s;
    const auto now = Clock::now();
    s.seconds = std::chrono::duration<double>(now - started_).count();
    // Each result stands for 2^floor hashes on average, the floor being the easiest result the
    // chips send: the ticket mask on silicon (ESP-Miner's and cgminer's estimate), lower on a
    // difficulty-scaled emulator.
    const double per_result = floor_bits_ < 256 ? std::ldexp(1.0, static_cast<int>(floor_bits_)) : 0;
    auto rate_over = [&](double window) {
        const double span = std::min(window, s.seconds);
        std::size_t n = 0;
        for (auto it = results_.rbegin(); it != results_.rend() && std::chrono::duration<double>(now - it->first).count() <= span; ++it) ++n;
        return span > 0 ? static_cast<double>(n) * per_result / span : 0.0;
    };
    s.rate_5s = rate_over(5);
    s.rate_1m = rate_over(60);
    s.rate_15m = rate_over(900);
    s.rate_total = s.seconds > 0 ? static_cast<double>(results_total_) * per_result / s.seconds : 0;
    s.total_hashes = static_cast<std::uint64_t>(static_cast<double>(results_total_) * per_result);
    s.hardware_errors = last_stats_.host.hardware_errors;
    s.shares = shares_;
    s.threads = 1;
    return s;
}

DeviceStats DeviceMiner::stats() const {
    std::lock_guard lock(mutex_);
    DeviceStats d = last_stats_;
    d.jobs_sent = jobs_sent_;
    d.shares = shares_;
    d.job_interval_s = job_interval_s_;
    d.result_floor_bits = floor_bits_ < 256 ? floor_bits_ : 0;
    return d;
}

}  // namespace hf::hw::host
