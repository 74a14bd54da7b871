#include "hw_model/wire_chain.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "core/backends.hpp"
#include "core/block_header.hpp"
#include "core/sha256.hpp"
#include "core/sha256_rounds.hpp"
#include "core/target.hpp"

namespace hf::hw {

using namespace bm13xx;

namespace {

constexpr std::uint8_t kRegVersionMask = reg::kVersionMask;  // 0xA4: enable bit 31, mask >> 13 in bits 15..0
constexpr std::uint32_t kVersionRollingEnable = 0x80000000u;
constexpr unsigned kMaxCoreIds = 128;  // the 7-bit core field of the nonce


// Scatters the low bits of `index` into the set bits of `mask`, lowest first.
std::uint32_t deposit_bits(std::uint64_t index, std::uint32_t mask) {
    std::uint32_t out = 0;
    for (; mask != 0 && index != 0; mask &= mask - 1, index >>= 1)
        if (index & 1) out |= mask & (~mask + 1);
    return out;
}


std::string hex(std::span<const std::uint8_t> bytes) {
    std::string s;
    char b[4];
    for (auto x : bytes) {
        std::snprintf(b, sizeof b, "%02X ", x);
        s += b;
    }
    if (!s.empty()) s.pop_back();
    return s;
}

const char* cmd_name(Cmd c) {
    switch (c) {
        case Cmd::SetAddress: return "set address";
        case Cmd::Write: return "write";
        case Cmd::Read: return "read";
        case Cmd::ChainInactive: return "chain inactive";
    }
    return "?";
}

// sha256d of a header known only by its first block's midstate and block 2's words W0..W2 (what a
// midstate job gives a BM1397), with `nonce` in W3.
Hash256 midstate_sha256d(const sha256::State& midstate, const std::array<std::uint32_t, 3>& tail, std::uint32_t nonce) {
    std::array<std::uint8_t, 64> block{};
    for (int i = 0; i < 3; ++i) sha256::store_be32(block.data() + 4 * i, tail[static_cast<std::size_t>(i)]);
    sha256::store_le32(block.data() + 12, nonce);
    block[16] = 0x80;
    block[62] = 0x02;  // 640 bits
    block[63] = 0x80;
    sha256::State s = midstate;
    sha256::compress(s, block.data(), 1);
    std::array<std::uint8_t, 64> second{};
    const sha256::Digest first = sha256::state_to_digest(s);
    std::copy(first.begin(), first.end(), second.begin());
    second[32] = 0x80;
    second[62] = 0x01;  // 256 bits
    sha256::State t = sha256::kInitialState;
    sha256::compress(t, second.data(), 1);
    const sha256::Digest d = sha256::state_to_digest(t);
    Hash256 out;
    std::copy(d.begin(), d.end(), out.begin());
    return out;
}

// The nonces of [first, first + count) whose hash has `zero_bits` leading zero bits, by midstate.
std::uint64_t scan_midstate(const ScanWork& w, std::uint32_t first, unsigned count, unsigned zero_bits,
                            std::vector<std::uint32_t>& found) {
    for (unsigned i = 0; i < count; ++i)
        if (leading_zero_bits(midstate_sha256d(w.midstate, w.tail, first + i)) >= zero_bits) found.push_back(first + i);
    return count;
}

}  // namespace

const char* wire_model_name(WireModel m) { return m == WireModel::BM1366 ? "BM1366" : "BM1397"; }

WireChipProfile default_wire_profile(WireModel m) {
    if (m == WireModel::BM1366) return {WireModel::BM1366, 0x1366, 112, 8, 485};
    return {WireModel::BM1397, 0x1397, 168, 4, 425};
}

WireChipProfile wire_profile(const ChipDescription& chip) {
    if (chip.protocol == ChipProtocol::None)
        throw ChipDescriptionError(chip.file + ": key 'protocol': this chip has no serial protocol (bm1366 or bm1397)");
    WireChipProfile p = default_wire_profile(chip.protocol == ChipProtocol::Bm1366 ? WireModel::BM1366 : WireModel::BM1397);
    p.chip_id = chip.chip_id();
    p.frequency_mhz = chip.mhz;
    if (p.model == WireModel::BM1366) {
        p.cores = (chip.cores + p.sub_cores - 1) / p.sub_cores;
    } else {
        p.cores = chip.cores;
        p.sub_cores = chip.core.midstates;
    }
    return p;
}

struct WireChain::Chip {
    std::uint8_t address = 0;  // fresh chips answer from address 0
    bool addressed = false;
    std::map<std::uint8_t, std::uint32_t> registers;
    std::uint32_t reg(std::uint8_t r) const {
        const auto it = registers.find(r);
        return it == registers.end() ? 0 : it->second;
    }
};

// One job being swept: what every step needs, fixed at job load.
struct WireChain::Sweep {
    std::uint64_t generation = 0;
    std::uint8_t result_job_bits = 0;  // job id bits echoed in every result
    HeaderBytes header{};              // BM1366: the header the job describes (nonce 0)
    std::uint32_t job_version = 0;
    std::uint32_t version_mask = 0;    // BM1366: bits the chip may roll; 0 = no rolling
    std::vector<sha256::State> midstates;  // BM1397: the host's midstates
    std::array<std::uint32_t, 3> tail{};
    struct Lane {  // one addressed chip: where its counter starts and how far it runs
        int chip = 0;
        std::uint32_t start = 0;  // W3 bits 24..0 at counter 0: the address field
        std::uint64_t span = 0;   // counter values it sweeps
        unsigned zero_bits = 32;
    };
    std::vector<Lane> lanes;
    std::uint64_t sweep_length = 0;  // the longest lane's span
    std::uint64_t counter = 0, batch = 0;
    bool done = false;
    std::shared_ptr<const std::vector<ScanWork>> works;  // this batch: one per sub-core/midstate
    std::vector<std::uint32_t> batch_versions;
};

WireChain::WireChain(WireChainConfig config)
    : config_(std::move(config)),
      parser_(config_.profile.model == WireModel::BM1366 ? JobFormat::FullHeader : JobFormat::Midstate) {
    if (config_.chips == 0 || config_.chips > 128) throw std::invalid_argument("a chain has 1 to 128 chips");
    if (config_.profile.cores == 0) throw std::invalid_argument("a chip has at least one core");
    const auto s = config_.difficulty_scale;
    if (s == 0 || !std::has_single_bit(s) || s > (std::uint64_t{1} << 24))
        throw std::invalid_argument("difficulty scale must be a power of two from 1 to 16777216");
    scale_bits_ = static_cast<unsigned>(std::countr_zero(s));
    if (!config_.backend.create) throw std::invalid_argument("no hashing backend given");
    chips_.resize(config_.chips);
}

WireChain::~WireChain() = default;

void WireChain::set_log(std::function<void(const std::string&)> log) {
    std::lock_guard lock(mutex_);
    log_ = std::move(log);
}

void WireChain::from_host(std::span<const std::uint8_t> bytes) {
    std::lock_guard lock(mutex_);
    parser_.feed(bytes);
    while (auto f = parser_.next()) {
        ++counters_.frames;
        act(*f);
    }
    counters_.bad_frames = parser_.errors();
    counters_.bytes_skipped = parser_.skipped();
}

std::vector<std::uint8_t> WireChain::take_upstream() {
    std::lock_guard lock(mutex_);
    return std::exchange(upstream_, {});
}

void WireChain::send(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    upstream_.insert(upstream_.end(), bytes.begin(), bytes.end());
    if (log_) log_("> " + hex(bytes) + "  " + what);
}

void WireChain::answer_read(const Chip& chip, std::uint8_t r) {
    std::uint32_t value = chip.reg(r);
    if (r == reg::kChipId)  // chip id, then 0x18 (BM1397) / 0x00 as captured, then the address
        value = static_cast<std::uint32_t>(config_.profile.chip_id) << 16 |
                (config_.profile.model == WireModel::BM1397 ? 0x18u : 0u) << 8 | chip.address;
    const bool long_format = config_.profile.model == WireModel::BM1366 && (chip.reg(kRegVersionMask) & kVersionRollingEnable);
    char what[96];
    std::snprintf(what, sizeof what, "register 0x%02X of chip 0x%02X = 0x%08X", r, chip.address, value);
    send(encode_register_response({value, chip.address, r}, long_format), what);
}

void WireChain::act(const HostFrame& f) {
    if (f.is_job || f.is_full_job) {
        load_job(f);
        return;
    }
    const Command& c = f.command;
    if (log_) {
        char line[128];
        std::snprintf(line, sizeof line, "< %s%s chip 0x%02X reg 0x%02X value 0x%08X", cmd_name(c.cmd),
                      c.broadcast ? " (all)" : "", c.chip_address, c.reg_address, c.value);
        log_(line);
    }
    bool matched = false;
    switch (c.cmd) {
        case Cmd::ChainInactive:
            for (auto& chip : chips_) chip.addressed = false;
            return;
        case Cmd::SetAddress:  // the first chip without an address keeps it; the others pass it on
            for (auto& chip : chips_)
                if (!chip.addressed) {
                    chip.address = c.chip_address;
                    chip.addressed = true;
                    return;
                }
            ++counters_.no_such_address;
            return;
        case Cmd::Write:
            for (auto& chip : chips_)
                if (c.broadcast || chip.address == c.chip_address) {
                    matched = true;
                    if (c.reg_address != reg::kChipId) chip.registers[c.reg_address] = c.value;
                }
            break;
        case Cmd::Read:
            for (const auto& chip : chips_)
                if (c.broadcast || chip.address == c.chip_address) {
                    matched = true;
                    answer_read(chip, c.reg_address);
                }
            break;
    }
    if (!matched) ++counters_.no_such_address;
}

unsigned WireChain::zero_bits_locked(const Chip& chip) const {
    const std::uint64_t difficulty = difficulty_from_ticket_mask(chip.reg(reg::kTicketMask));
    const unsigned bits = 32 + static_cast<unsigned>(std::bit_width(difficulty) - 1);
    return bits > scale_bits_ ? bits - scale_bits_ : 0;
}

unsigned WireChain::result_zero_bits(unsigned chip) const {
    std::lock_guard lock(mutex_);
    return zero_bits_locked(chips_.at(chip));
}

namespace {

// The scan works of one version batch (BM1366) or of the job's midstates (BM1397).
std::shared_ptr<const std::vector<ScanWork>> batch_works(const HeaderBytes& header, std::span<const std::uint32_t> versions) {
    auto works = std::make_shared<std::vector<ScanWork>>();
    for (std::uint32_t v : versions) {
        HeaderBytes h = header;
        sha256::store_le32(h.data(), v);
        works->push_back(ScanWork::from_header(h, U256{}));
    }
    return works;
}

}  // namespace

void WireChain::load_job(const HostFrame& f) {
    const bool full = f.is_full_job;
    if (log_) {
        char line[160];
        if (full)
            std::snprintf(line, sizeof line, "< job 0x%02X (full header) version %08X ntime %08X nbits %08X",
                          f.full_job.job_header, f.full_job.version, f.full_job.ntime, f.full_job.nbits);
        else
            std::snprintf(line, sizeof line, "< job 0x%02X (%zu midstates) ntime %08X nbits %08X", f.job.job_id,
                          f.job.midstates.size(), f.job.ntime, f.job.nbits);
        log_(line);
    }
    if (std::none_of(chips_.begin(), chips_.end(), [](const Chip& c) { return c.addressed; })) {
        ++counters_.jobs_before_init;  // no chip set up yet
        return;
    }
    ++counters_.jobs;
    auto s = std::make_shared<Sweep>();
    s->generation = ++generation_;
    std::vector<std::uint32_t> versions;
    if (full) {
        const FullJobPacket& j = f.full_job;
        s->result_job_bits = j.job_header & 0xf8;
        sha256::store_le32(s->header.data(), j.version);
        std::copy(j.prev_hash.begin(), j.prev_hash.end(), s->header.begin() + 4);
        std::copy(j.merkle_root.begin(), j.merkle_root.end(), s->header.begin() + 36);
        sha256::store_le32(s->header.data() + kHeaderTimeOffset, j.ntime);
        sha256::store_le32(s->header.data() + kHeaderBitsOffset, j.nbits);
        s->job_version = j.version;
        const std::uint32_t vm = chips_.front().reg(kRegVersionMask);
        s->version_mask = (vm & kVersionRollingEnable) ? (vm & 0xffffu) << 13 : 0;
        const unsigned subs = s->version_mask ? config_.profile.sub_cores : 1;
        for (unsigned i = 0; i < subs; ++i)
            s->batch_versions.push_back((j.version & ~s->version_mask) | deposit_bits(i, s->version_mask));
        s->works = batch_works(s->header, s->batch_versions);
    } else {
        const JobPacket& j = f.job;
        s->result_job_bits = j.job_id & 0xfc;
        auto works = std::make_shared<std::vector<ScanWork>>();
        for (const auto& m : j.midstates) {
            ScanWork w;
            w.midstate = m;
            w.tail = {sha256::load_be32(j.merkle_tail.data()), __builtin_bswap32(j.ntime), __builtin_bswap32(j.nbits)};
            works->push_back(w);
        }
        s->midstates = j.midstates;
        s->works = works;
    }
    // BM1366: the address is stamped into the nonce, the counter has 18 bits of its own. BM1397:
    // the counter starts at address << 17 and runs up to the next chip's address (256/N apart).
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < chips_.size(); ++i)
        if (chips_[i].addressed) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return chips_[a].address < chips_[b].address; });
    for (std::size_t k = 0; k < order.size(); ++k) {
        const Chip& c = chips_[order[k]];
        Sweep::Lane lane{static_cast<int>(order[k]), 0, 0, zero_bits_locked(c)};
        if (config_.profile.model == WireModel::BM1366) {
            lane.start = static_cast<std::uint32_t>(c.address >> 1) << 18;
            lane.span = std::uint64_t{1} << 18;
        } else {
            const unsigned next = k + 1 < order.size() ? chips_[order[k + 1]].address : 256;
            lane.start = static_cast<std::uint32_t>(c.address) << 17;
            lane.span = static_cast<std::uint64_t>(std::max(1u, next - c.address)) << 17;
        }
        s->sweep_length = std::max(s->sweep_length, lane.span);
        s->lanes.push_back(lane);
    }
    sweep_ = std::move(s);
}

bool WireChain::hashing() const {
    std::lock_guard lock(mutex_);
    return sweep_ && !sweep_->done;
}

// Takes the next sweep position (and a scanner) under the lock; advances the sweep past it.
bool WireChain::claim(Claim& c) {
    std::lock_guard lock(mutex_);
    if (!sweep_ || sweep_->done) return false;
    Sweep& s = *sweep_;
    c.sweep = sweep_;
    c.works = s.works;
    c.versions = s.batch_versions;
    c.counter = s.counter;
    if (++s.counter == s.sweep_length) {
        // The sweep is over: BM1366 rolls the next batch of versions, BM1397 has nothing left.
        s.counter = 0;
        ++s.batch;
        const unsigned subs = static_cast<unsigned>(s.batch_versions.size());
        const std::uint64_t first = s.batch * subs;
        if (s.version_mask == 0 || first >= (std::uint64_t{1} << std::popcount(s.version_mask))) {
            s.done = true;
        } else {
            for (unsigned i = 0; i < subs; ++i)
                s.batch_versions[i] = (s.job_version & ~s.version_mask) | deposit_bits(first + i, s.version_mask);
            s.works = batch_works(s.header, s.batch_versions);
        }
    }
    if (!idle_backends_.empty()) {
        c.backend = std::move(idle_backends_.back());
        idle_backends_.pop_back();
    }
    return true;
}

// Lanes whose W3 bits 23..0 agree at this counter share one scan of nonce byte 0 (core << 1 | W3
// bit 24): one contiguous range of header nonces.
std::vector<WireChain::ScanGroup> WireChain::groups_at(const Sweep& sweep, std::uint64_t counter) {
    std::vector<ScanGroup> groups;
    for (const auto& lane : sweep.lanes) {
        if (counter >= lane.span) continue;
        const auto v = static_cast<std::uint32_t>((lane.start + counter) & 0x1ffffff);
        auto g = std::find_if(groups.begin(), groups.end(), [&](const ScanGroup& x) { return x.low24 == (v & 0xffffff); });
        if (g == groups.end()) g = groups.insert(groups.end(), ScanGroup{v & 0xffffff, {-1, -1}, lane.zero_bits});
        g->owner[v >> 24] = lane.chip;
        g->zero_bits = std::min(g->zero_bits, lane.zero_bits);
    }
    return groups;
}

// The response a chip sends for `nonce`, found by sub-core (or midstate) `sub`, and its log line.
std::pair<std::vector<std::uint8_t>, std::string> WireChain::result_frame(const Claim& c, const ScanGroup& g, std::size_t sub,
                                                                          std::uint32_t nonce, int owner) const {
    const Sweep& sweep = *c.sweep;
    const std::uint32_t w3 = __builtin_bswap32(nonce);
    NonceResponse r;
    r.nonce = nonce;
    r.job_id = static_cast<std::uint8_t>(sweep.result_job_bits | sub);
    char line[160];
    if (config_.profile.model == WireModel::BM1366) {
        HeaderBytes h = sweep.header;
        sha256::store_le32(h.data(), c.versions[sub]);
        sha256::store_le32(h.data() + kHeaderNonceOffset, nonce);
        const unsigned zeros = leading_zero_bits(sha256::hash256d(h));
        r.midstate = static_cast<std::uint8_t>(std::min(255u, 2 * (zeros - std::min(zeros, g.zero_bits))));  // excess difficulty
        r.version_bits = static_cast<std::uint16_t>(c.versions[sub] >> 13);
        std::snprintf(line, sizeof line, "result: chip %d core %u/%zu nonce %08X version %08X job 0x%02X", owner, w3 >> 25,
                      sub, nonce, c.versions[sub], sweep.result_job_bits);
    } else {
        r.midstate = static_cast<std::uint8_t>(sub);
        std::snprintf(line, sizeof line, "result: chip %d core %u midstate %zu nonce %08X job 0x%02X", owner, w3 >> 25, sub,
                      nonce, sweep.result_job_bits);
    }
    return {encode_nonce_response(r), line};
}

std::uint64_t WireChain::step() {
    Claim c;
    if (!claim(c)) return 0;
    if (!c.backend) c.backend = config_.backend.create();
    const bool is1366 = config_.profile.model == WireModel::BM1366;
    const unsigned core_ids = std::min(config_.profile.cores, kMaxCoreIds);
    std::vector<std::pair<std::vector<std::uint8_t>, std::string>> out;
    std::vector<std::uint32_t> found;
    const std::atomic<bool> never{false};
    std::uint64_t hashed = 0;
    for (const auto& g : groups_at(*c.sweep, c.counter)) {
        // Nonce bytes 1..3 are W3 bits 23..0 (most significant first); byte 0 = core << 1 | bit 24.
        const std::uint32_t first = __builtin_bswap32(g.low24);  // byte 0 zero
        for (std::size_t sub = 0; sub < c.works->size(); ++sub) {
            ScanWork w = (*c.works)[sub];
            w.target = U256::max() >> g.zero_bits;
            found.clear();
            // BM1366 jobs carry the whole header: core's fastest scanner. BM1397 jobs carry only
            // midstates, which that scanner's host-side re-check cannot use.
            hashed += is1366 ? c.backend->scan(w, {first, 2ull * core_ids}, found, never)
                             : scan_midstate(w, first, 2 * core_ids, g.zero_bits, found);
            for (const std::uint32_t nonce : found) {
                const int owner = g.owner[(__builtin_bswap32(nonce) >> 24) & 1];
                if (owner >= 0) out.push_back(result_frame(c, g, sub, nonce, owner));  // else no chip sweeps it
            }
        }
    }
    std::lock_guard lock(mutex_);
    idle_backends_.push_back(std::move(c.backend));
    counters_.hashes += hashed;
    if (sweep_ != c.sweep) return hashed;  // a new job arrived meanwhile: these results are dropped
    for (const auto& [bytes, what] : out) {
        ++counters_.results;
        send(bytes, what);
    }
    return hashed;
}

WireCounters WireChain::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

std::uint32_t WireChain::read_register(unsigned chip, std::uint8_t r) const {
    std::lock_guard lock(mutex_);
    return chips_.at(chip).reg(r);
}

std::uint8_t WireChain::chip_address(unsigned chip) const {
    std::lock_guard lock(mutex_);
    return chips_.at(chip).address;
}

}  // namespace hf::hw
