#include "hw_model/bm13xx_protocol.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/sha256_rounds.hpp"
#include "hw_model/bm13xx_crc.hpp"

namespace hf::hw::bm13xx {
namespace {

constexpr std::size_t kMaxHostFrame = 2 + 2 + 2 + 18 + 4 * 32;  // preamble, type, length, job, CRC16
constexpr std::size_t kFullJobData = 82;                         // job header .. version

std::uint8_t reverse_bits(std::uint8_t b) {
    std::uint8_t r = 0;
    for (int i = 0; i < 8; ++i) r = static_cast<std::uint8_t>(r | (((b >> i) & 1u) << (7 - i)));
    return r;
}

void put_le32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// Drops bytes up to the next occurrence of `preamble` (keeping a trailing half-preamble) and
// returns how many it dropped.
std::size_t resync(std::vector<std::uint8_t>& buf, const std::uint8_t (&preamble)[2]) {
    std::size_t i = 0;
    while (i + 1 < buf.size() && !(buf[i] == preamble[0] && buf[i + 1] == preamble[1])) ++i;
    if (i + 1 == buf.size() && buf[i] != preamble[0]) ++i;
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(i));
    return i;
}

void put_crc16(std::vector<std::uint8_t>& out) {
    const std::uint16_t crc = crc16_ccitt_false(std::span(out).subspan(2));
    out.push_back(static_cast<std::uint8_t>(crc >> 8));
    out.push_back(static_cast<std::uint8_t>(crc));
}

}  // namespace

std::vector<std::uint8_t> encode_command(const Command& c) {
    std::vector<std::uint8_t> out = {0x55, 0xAA};
    const std::uint8_t type = static_cast<std::uint8_t>(kTypeCommand | (c.broadcast ? kBroadcast : 0) | static_cast<std::uint8_t>(c.cmd));
    const bool write = c.cmd == Cmd::Write;
    out.push_back(type);
    out.push_back(write ? 9 : 5);
    out.push_back(c.chip_address);
    out.push_back(c.reg_address);
    if (write)
        for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(c.value >> (8 * i)));
    out.push_back(crc5(std::span(out).subspan(2)));
    return out;
}

std::array<std::uint8_t, 32> reverse_words(std::span<const std::uint8_t, 32> bytes) {
    std::array<std::uint8_t, 32> out{};
    for (int w = 0; w < 8; ++w) std::copy_n(bytes.begin() + 4 * (7 - w), 4, out.begin() + 4 * w);
    return out;
}

std::array<std::uint8_t, 32> midstate_to_wire(const sha256::State& s) {
    const std::array<std::uint8_t, 32> be = sha256::state_to_digest(s);
    return reverse_words(be);
}

sha256::State midstate_from_wire(std::span<const std::uint8_t, 32> bytes) {
    const std::array<std::uint8_t, 32> be = reverse_words(bytes);
    sha256::State s{};
    for (int i = 0; i < 8; ++i) s[i] = sha256::load_be32(be.data() + 4 * i);
    return s;
}

std::vector<std::uint8_t> encode_job(const JobPacket& job) {
    if (job.midstates.empty() || job.midstates.size() > 4) throw ProtocolError("a job carries 1 to 4 midstates");
    std::vector<std::uint8_t> out = {0x55, 0xAA, static_cast<std::uint8_t>(kTypeWork | 1), 0};
    out.push_back(job.job_id);
    out.push_back(static_cast<std::uint8_t>(job.midstates.size()));
    put_le32(out, job.starting_nonce);
    put_le32(out, job.nbits);
    put_le32(out, job.ntime);
    out.insert(out.end(), job.merkle_tail.begin(), job.merkle_tail.end());
    for (const auto& m : job.midstates) {
        const auto w = midstate_to_wire(m);
        out.insert(out.end(), w.begin(), w.end());
    }
    out[3] = static_cast<std::uint8_t>(out.size() - 2 + 2);  // type..payload plus the CRC16
    put_crc16(out);
    return out;
}

std::vector<std::uint8_t> encode_full_job(const FullJobPacket& job) {
    std::vector<std::uint8_t> out = {0x55, 0xAA, static_cast<std::uint8_t>(kTypeWork | 1), 0};
    out.push_back(job.job_header);
    out.push_back(1);  // number of midstates: the chip computes its own
    put_le32(out, job.starting_nonce);
    put_le32(out, job.nbits);
    put_le32(out, job.ntime);
    for (const auto* field : {&job.merkle_root, &job.prev_hash}) {
        const auto w = reverse_words(*field);
        out.insert(out.end(), w.begin(), w.end());
    }
    put_le32(out, job.version);
    out[3] = static_cast<std::uint8_t>(out.size() - 2 + 2);
    put_crc16(out);
    return out;
}

std::vector<std::uint8_t> encode_nonce_response(const NonceResponse& r) {
    std::vector<std::uint8_t> out = {0xAA, 0x55};
    put_le32(out, r.nonce);
    out.push_back(r.midstate);
    out.push_back(r.job_id);
    if (r.version_bits) {  // most significant byte first
        out.push_back(static_cast<std::uint8_t>(*r.version_bits >> 8));
        out.push_back(static_cast<std::uint8_t>(*r.version_bits));
    }
    out.push_back(0x80);  // response type 4 (nonce) in bits 7..5
    out.back() = static_cast<std::uint8_t>(0x80 | crc5(std::span(out).subspan(2), (out.size() - 2) * 8 - 5));
    return out;
}

std::vector<std::uint8_t> encode_register_response(const RegisterResponse& r, bool long_format) {
    std::vector<std::uint8_t> out = {0xAA, 0x55};
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(r.value >> (8 * i)));
    out.push_back(r.chip_address);
    out.push_back(r.reg_address);
    if (long_format) out.insert(out.end(), {0, 0});
    out.push_back(0);
    out.back() = crc5(std::span(out).subspan(2), (out.size() - 2) * 8 - 5);
    return out;
}

void HostFrameParser::feed(std::span<const std::uint8_t> bytes) { buf_.insert(buf_.end(), bytes.begin(), bytes.end()); }

std::optional<HostFrame> HostFrameParser::next() {
    for (;;) {
        skipped_ += resync(buf_, kCommandPreamble);
        if (buf_.size() < 4) return std::nullopt;
        const std::uint8_t type = buf_[2];
        const std::size_t length = buf_[3];
        const bool job = (type & 0x60) == kTypeWork;
        const bool full_job = job && format_ == JobFormat::FullHeader;
        const bool valid_type = job || ((type & 0x60) == kTypeCommand && (type & 0x0f) <= 3);
        const bool valid_length = !job ? (length == 5 || length == 9)
                                  : full_job ? length == kFullJobData + 4
                                             : (length >= 2 + 18 + 32 + 2 && length <= kMaxHostFrame - 2 && (length - 22) % 32 == 0);
        if (!valid_type || !valid_length) {
            ++errors_;
            ++skipped_;
            buf_.erase(buf_.begin());  // not a frame start after all
            continue;
        }
        if (buf_.size() < 2 + length) return std::nullopt;
        const std::span<const std::uint8_t> body(buf_.data() + 2, length);
        bool ok;
        if (job) {
            const std::uint16_t crc = crc16_ccitt_false(body.first(length - 2));
            ok = (crc >> 8) == body[length - 2] && (crc & 0xff) == body[length - 1];
        } else {
            ok = crc5(body.first(length - 1)) == body[length - 1];
        }
        if (!ok) {
            ++errors_;
            ++skipped_;
            buf_.erase(buf_.begin());
            continue;
        }
        HostFrame f;
        if (full_job) {
            const std::uint8_t* p = body.data() + 2;
            f.is_full_job = true;
            f.full_job.job_header = p[0];
            f.full_job.starting_nonce = sha256::load_le32(p + 2);
            f.full_job.nbits = sha256::load_le32(p + 6);
            f.full_job.ntime = sha256::load_le32(p + 10);
            f.full_job.merkle_root = reverse_words(std::span<const std::uint8_t, 32>(p + 14, 32));
            f.full_job.prev_hash = reverse_words(std::span<const std::uint8_t, 32>(p + 46, 32));
            f.full_job.version = sha256::load_le32(p + 78);
        } else if (job) {
            f.is_job = true;
            const std::uint8_t* p = body.data() + 2;
            f.job.job_id = p[0];
            const unsigned midstates = p[1];
            f.job.starting_nonce = sha256::load_le32(p + 2);
            f.job.nbits = sha256::load_le32(p + 6);
            f.job.ntime = sha256::load_le32(p + 10);
            std::copy(p + 14, p + 18, f.job.merkle_tail.begin());
            const unsigned carried = static_cast<unsigned>((length - 22) / 32);
            if (midstates == 0 || midstates > carried) {
                ++errors_;
                buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(2 + length));
                continue;
            }
            for (unsigned i = 0; i < midstates; ++i)
                f.job.midstates.push_back(midstate_from_wire(std::span<const std::uint8_t, 32>(p + 18 + 32 * i, 32)));
        } else {
            f.command.cmd = static_cast<Cmd>(type & 0x0f);
            f.command.broadcast = (type & kBroadcast) != 0;
            f.command.chip_address = body[2];
            f.command.reg_address = body[3];
            if (length == 9) f.command.value = sha256::load_be32(body.data() + 4);
        }
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(2 + length));
        return f;
    }
}

void ChipFrameParser::feed(std::span<const std::uint8_t> bytes) { buf_.insert(buf_.end(), bytes.begin(), bytes.end()); }

std::optional<ChipFrame> ChipFrameParser::next() {
    const std::size_t size = version_format_ ? 11 : 9;
    for (;;) {
        skipped_ += resync(buf_, kResponsePreamble);
        if (buf_.size() < size) return std::nullopt;
        const std::span<const std::uint8_t> body(buf_.data() + 2, size - 2);
        if (crc5(body, body.size() * 8 - 5) != (body.back() & 0x1f)) {
            ++errors_;
            ++skipped_;
            buf_.erase(buf_.begin());
            continue;
        }
        ChipFrame f;
        f.is_nonce = (body.back() & 0x80) != 0;
        if (f.is_nonce) {
            f.nonce.nonce = sha256::load_le32(body.data());
            f.nonce.midstate = body[4];
            f.nonce.job_id = body[5];
            if (version_format_) f.nonce.version_bits = static_cast<std::uint16_t>(body[6] << 8 | body[7]);
        } else {
            f.reg.value = sha256::load_be32(body.data());
            f.reg.chip_address = body[4];
            f.reg.reg_address = body[5];
        }
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(size));
        return f;
    }
}

unsigned leading_zero_bits(std::span<const std::uint8_t, 32> hash) {
    unsigned zeros = 0;
    for (int i = 31; i >= 0; --i) {
        if (hash[static_cast<std::size_t>(i)] != 0) return zeros + static_cast<unsigned>(std::countl_zero(hash[static_cast<std::size_t>(i)]));
        zeros += 8;
    }
    return zeros;
}

std::uint32_t ticket_mask_for_difficulty(std::uint64_t difficulty) {
    if (difficulty == 0) difficulty = 1;
    const std::uint64_t mask = std::bit_floor(std::min<std::uint64_t>(difficulty, 1ull << 32)) - 1;
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i)  // byte i of the mask (least significant first) goes to register byte 3 - i
        value |= static_cast<std::uint32_t>(reverse_bits(static_cast<std::uint8_t>(mask >> (8 * i)))) << (8 * i);
    return value;
}

std::uint64_t difficulty_from_ticket_mask(std::uint32_t value) {
    std::uint64_t mask = 0;
    for (int i = 0; i < 4; ++i) mask |= static_cast<std::uint64_t>(reverse_bits(static_cast<std::uint8_t>(value >> (8 * i)))) << (8 * i);
    return mask + 1;
}

std::uint32_t pll_for_frequency(double mhz) {
    // Search the divider space for the closest frequency (feedback 16..235, reference 1..2, posts 1..7).
    double best_err = 1e18;
    std::uint32_t best = 0;
    for (unsigned ref = 1; ref <= 2; ++ref)
        for (unsigned p1 = 1; p1 <= 7; ++p1)
            for (unsigned p2 = 1; p2 <= p1; ++p2)
                for (unsigned fb = 16; fb <= 235; ++fb) {
                    const double f = kReferenceClockMHz * fb / (ref * p1 * p2);
                    const double err = std::abs(f - mhz);
                    if (err < best_err) {
                        best_err = err;
                        best = 0x40u << 24 | fb << 16 | ref << 8 | (p1 << 4 | p2);
                    }
                }
    return best;
}

double frequency_from_pll(std::uint32_t value) {
    const unsigned fb = (value >> 16) & 0xff, ref = (value >> 8) & 0xff, p1 = (value >> 4) & 0xf, p2 = value & 0xf;
    if (fb == 0 || ref == 0 || p1 == 0 || p2 == 0) return 0;
    return kReferenceClockMHz * fb / (ref * p1 * p2);
}

}  // namespace hf::hw::bm13xx
