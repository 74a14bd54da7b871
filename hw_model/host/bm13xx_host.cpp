#include "hw_model/host/bm13xx_host.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/sha256.hpp"
#include "core/sha256_rounds.hpp"

namespace hf::hw::host {

using namespace bm13xx;

namespace {

constexpr ModelInfo kBm1366{ChipModel::BM1366, "BM1366", 0x1366, 112, 8, true, 8, 0xF8, 485};
constexpr ModelInfo kBm1397{ChipModel::BM1397, "BM1397", 0x1397, 168, 4, false, 4, 0xFC, 425};


// BIP 320 rolling as ESP-Miner's increment_bitmask: add one at the mask's lowest bit, carrying
// only through mask bits.
std::uint32_t increment_in_mask(std::uint32_t value, std::uint32_t mask) {
    if (mask == 0) return value;
    const std::uint32_t rolled = ((value | ~mask) + (mask & (~mask + 1))) & mask;
    return (value & ~mask) | rolled;
}

}  // namespace

const ModelInfo& model_info(ChipModel m) { return m == ChipModel::BM1366 ? kBm1366 : kBm1397; }

std::optional<ChipModel> parse_chip_model(const std::string& name) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n == "bm1366") return ChipModel::BM1366;
    if (n == "bm1397") return ChipModel::BM1397;
    return std::nullopt;
}

std::pair<std::uint32_t, double> pll_register(ChipModel m, double mhz) {
    const unsigned fb_min = m == ChipModel::BM1366 ? 144 : 60, fb_max = m == ChipModel::BM1366 ? 235 : 200;
    double best_diff = std::numeric_limits<double>::max(), best_freq = 0, best_vco = 0;
    unsigned best[4] = {};
    for (unsigned ref = 2; ref > 0; --ref)
        for (unsigned p1 = 7; p1 > 0; --p1)
            for (unsigned p2 = 7; p2 > 0; --p2) {
                if (p1 <= p2) continue;
                const unsigned div = ref * p1 * p2;
                const auto fb = static_cast<unsigned>(std::lround(mhz / 25.0 * div));
                if (fb < fb_min || fb > fb_max) continue;
                const double f = 25.0 * fb / div, diff = std::abs(f - mhz), vco = 25.0 * fb / ref;
                if (diff < best_diff - 1e-4 || (std::abs(diff - best_diff) < 1e-4 && vco < best_vco)) {
                    best_diff = diff, best_freq = f, best_vco = vco;
                    best[0] = fb, best[1] = ref, best[2] = p1, best[3] = p2;
                }
            }
    if (best[0] == 0) throw std::invalid_argument("frequency " + std::to_string(mhz) + " MHz is out of the PLL's range");
    const unsigned vdo = (m == ChipModel::BM1366 && best[0] * 25 / best[1] >= 2400) ? 0x50 : 0x40;
    const unsigned post = m == ChipModel::BM1366 ? ((best[2] - 1) << 4 | (best[3] - 1)) : (best[2] << 4 | best[3]);
    return {vdo << 24 | best[0] << 16 | best[1] << 8 | post, best_freq};
}

Bm13xxHost::Bm13xxHost(SerialPort& port, ChipModel model)
    : port_(port), info_(model_info(model)), parser_(false) {}

void Bm13xxHost::send_raw(const std::vector<std::uint8_t>& bytes) { port_.write(bytes); }

void Bm13xxHost::write_register(std::uint8_t reg, std::uint32_t value, std::optional<std::uint8_t> chip) {
    send_raw(encode_command({Cmd::Write, !chip.has_value(), chip.value_or(0), reg, value}));
}

std::vector<RegisterResponse> Bm13xxHost::read_register(std::uint8_t reg, std::optional<std::uint8_t> chip, int timeout_ms) {
    send_raw(encode_command({Cmd::Read, !chip.has_value(), chip.value_or(0), reg, 0}));
    std::vector<RegisterResponse> regs;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        parser_.feed(port_.read(20));
        absorb(nullptr, &regs);
        // Stop early once every chip (or the one asked) has answered.
        if (chip ? !regs.empty() : (chips_ != 0 && regs.size() >= chips_)) break;
    }
    return regs;
}

unsigned Bm13xxHost::init(unsigned expected, double frequency_mhz, double ticket_difficulty) {
    const bool is1366 = info_.model == ChipModel::BM1366;
    if (is1366) {
        for (int i = 0; i < 3; ++i) write_register(reg::kVersionMask, 0x9000FFFFu);  // also selects 11-byte answers
        parser_.set_version_format(true);
    }
    // Count the chips: every chip answers a broadcast read of register 0 with its id. Wait until
    // the line has been quiet for 200 ms (a chain of many chips answers over several ms).
    send_raw(encode_command({Cmd::Read, true, 0, reg::kChipId, 0}));
    std::vector<RegisterResponse> ids;
    auto quiet_since = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - quiet_since < std::chrono::milliseconds(ids.empty() ? 1000 : 200)) {
        const auto bytes = port_.read(20);
        if (!bytes.empty()) quiet_since = std::chrono::steady_clock::now();
        parser_.feed(bytes);
        absorb(nullptr, &ids);
    }
    unsigned found = 0;
    for (const auto& r : ids)
        if (r.reg_address == reg::kChipId && (r.value >> 16) == info_.chip_id) ++found;
    if (found == 0)
        throw std::runtime_error(port_.path() + ": no " + info_.name + " answered the chip-id read (" +
                                 std::to_string(ids.size()) + " other answers)");
    if (expected != 0 && found != expected)
        throw std::runtime_error(port_.path() + ": " + std::to_string(found) + " " + info_.name + " chip(s) answered, expected " +
                                 std::to_string(expected));
    chips_ = found;
    interval_ = 256 / found;

    if (is1366) {  // ESP-Miner's BM1366 bring-up values (core and misc registers)
        write_register(0xA8, 0x00070000);
        write_register(reg::kMiscControl, 0xFF0FC100);
    }
    send_raw(encode_command({Cmd::ChainInactive, true, 0, 0, 0}));
    for (unsigned i = 0; i < chips_; ++i)
        send_raw(encode_command({Cmd::SetAddress, false, static_cast<std::uint8_t>(i * interval_), 0, 0}));
    if (is1366) {
        write_register(0x3C, 0x80008540);  // core register control
        write_register(0x3C, 0x80008020);
    } else {
        write_register(0x80, 0);           // clock order control 0/1, ordered clock enable
        write_register(0x84, 0);
        write_register(0x20, 1);
        write_register(0x3C, 0x80008074);
    }
    set_ticket_difficulty(ticket_difficulty);
    if (is1366) {
        write_register(0x54, 0x00000003);  // analog mux
        write_register(0x58, 0x02111111);  // IO driver strength
        for (unsigned i = 0; i < chips_; ++i) {
            const auto a = static_cast<std::uint8_t>(i * interval_);
            write_register(0xA8, 0x000701F0, a);
            write_register(reg::kMiscControl, 0xF000C100, a);
            write_register(0x3C, 0x80008540, a);
            write_register(0x3C, 0x80008020, a);
            write_register(0x3C, 0x800082AA, a);
        }
    } else {
        write_register(0x68, 0xC0700111);  // PLL3
        write_register(0x28, 0x0600000F);  // fast UART configuration
        write_register(reg::kMiscControl, 0x00007A31);  // UART divider for 115200 baud
    }
    const auto [pll, mhz] = pll_register(info_.model, frequency_mhz);
    write_register(reg::kPll0, pll);
    frequency_ = mhz;
    if (is1366) {
        // Hash counting number: sweep a core's whole nonce slice per version batch (ESP-Miner's formula).
        const double slice = 4294967296.0 / std::bit_ceil(info_.cores) / std::bit_ceil(chips_);
        write_register(0x10, static_cast<std::uint32_t>(slice * 25.0 / mhz * 0.5));
        set_version_mask(0x1fffe000);  // BIP 320's bits until a job says otherwise
    }
    return chips_;
}

void Bm13xxHost::set_ticket_difficulty(double difficulty) {
    const double d = std::clamp(std::floor(difficulty), 1.0, 2147483648.0);
    ticket_ = std::bit_floor(static_cast<std::uint64_t>(d));
    write_register(reg::kTicketMask, ticket_mask_for_difficulty(ticket_));
}

void Bm13xxHost::set_version_mask(std::uint32_t mask) {
    version_mask_ = mask;
    if (info_.model == ChipModel::BM1366) write_register(reg::kVersionMask, 0x90000000u | ((mask >> 13) & 0xffff));
}

std::uint8_t Bm13xxHost::send_job(const HostJob& job, bool clean) {
    if (clean) live_.fill(std::nullopt);
    // A BM1366 rolls what register 0xA4 allows: keep it equal to what this job may roll.
    if (info_.full_header_jobs && job.version_mask != version_mask_) set_version_mask(job.version_mask);
    next_id_ = static_cast<std::uint8_t>((next_id_ + info_.job_id_step) % 128);
    const std::uint8_t id = next_id_;
    live_[id] = job;
    const HeaderBytes& h = job.header;
    const std::uint32_t version = sha256::load_le32(h.data());
    if (info_.full_header_jobs) {
        FullJobPacket p;
        p.job_header = id;
        p.nbits = sha256::load_le32(h.data() + kHeaderBitsOffset);
        p.ntime = sha256::load_le32(h.data() + kHeaderTimeOffset);
        std::copy(h.begin() + 36, h.begin() + 68, p.merkle_root.begin());
        std::copy(h.begin() + 4, h.begin() + 36, p.prev_hash.begin());
        p.version = version;
        send_raw(encode_full_job(p));
    } else {
        JobPacket p;
        p.job_id = id;
        p.nbits = sha256::load_le32(h.data() + kHeaderBitsOffset);
        p.ntime = sha256::load_le32(h.data() + kHeaderTimeOffset);
        std::copy(h.begin() + kHeaderMerkleTailOffset, h.begin() + kHeaderMerkleTailOffset + 4, p.merkle_tail.begin());
        std::uint32_t v = version;
        const unsigned midstates = job.version_mask != 0 ? 4 : 1;  // as ESP-Miner: four rolled versions
        for (unsigned i = 0; i < midstates; ++i) {
            HeaderBytes rolled = h;
            sha256::store_le32(rolled.data(), v);
            p.midstates.push_back(header_midstate(rolled));
            v = increment_in_mask(v, job.version_mask);
        }
        send_raw(encode_job(p));
    }
    return id;
}

std::optional<HostResult> Bm13xxHost::verify(const NonceResponse& r) {
    ++counters_.results;
    HostResult out;
    out.job_id = r.job_id & info_.job_id_mask;
    out.sub = r.job_id & ~info_.job_id_mask & 0xff;
    const auto& job = live_[out.job_id & 0x7f];
    if ((out.job_id & 0x80) || !job) {
        ++counters_.stale;
        return std::nullopt;
    }
    out.job = *job;
    const std::uint32_t base = sha256::load_le32(job->header.data());
    if (info_.full_header_jobs) {
        // ESP-Miner: rolled version = job version | (big-endian version field << 13).
        out.version = base | static_cast<std::uint32_t>(r.version_bits.value_or(0)) << 13;
    } else {
        out.version = base;
        for (unsigned i = 0; i < out.sub; ++i) out.version = increment_in_mask(out.version, job->version_mask);
    }
    const std::uint32_t w3 = __builtin_bswap32(r.nonce);  // the nonce as the chip counts it
    out.core = w3 >> 25;
    out.chip = ((w3 >> 17) & 0xff) / std::max(1u, interval_);
    out.nonce = r.nonce;
    HeaderBytes h = job->header;
    sha256::store_le32(h.data(), out.version);
    sha256::store_le32(h.data() + kHeaderNonceOffset, r.nonce);
    out.hash = sha256::hash256d(h);
    out.zero_bits = leading_zero_bits(out.hash);
    if (out.zero_bits < kEvidenceZeroBits || ((out.version ^ base) & ~job->version_mask) != 0) {
        ++counters_.hardware_errors;
        return std::nullopt;
    }
    if (out.zero_bits < 32 + static_cast<unsigned>(std::countr_zero(ticket_))) ++counters_.below_ticket;
    return out;
}

void Bm13xxHost::absorb(std::vector<HostResult>* results, std::vector<RegisterResponse>* regs) {
    while (auto f = parser_.next()) {
        if (!f->is_nonce) {
            ++counters_.register_reads;
            if (regs) regs->push_back(f->reg);
            continue;
        }
        if (auto v = verify(f->nonce); v && results) results->push_back(*v);
    }
    counters_.crc_errors = parser_.errors();
    counters_.bytes_skipped = parser_.skipped();
}

std::vector<HostResult> Bm13xxHost::poll(int timeout_ms) {
    std::vector<HostResult> out;
    parser_.feed(port_.read(timeout_ms));
    absorb(&out, nullptr);
    return out;
}

}  // namespace hf::hw::host
