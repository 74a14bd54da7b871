#include "core/target.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace hf {

CompactDecoded compact_to_target(std::uint32_t nbits) {
    CompactDecoded r;
    const unsigned size = nbits >> 24;
    std::uint32_t word = nbits & 0x007fffff;
    if (size <= 3) {
        word >>= 8 * (3 - size);
        r.target = U256(word);
    } else {
        r.target = U256(word) << (8 * (size - 3));
    }
    r.negative = word != 0 && (nbits & 0x00800000) != 0;
    r.overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
    if (r.overflow) r.target = U256();
    return r;
}

std::uint32_t target_to_compact(const U256& target) {
    unsigned size = (target.bit_length() + 7) / 8;
    std::uint32_t compact;
    if (size <= 3)
        compact = static_cast<std::uint32_t>(target.low64() << (8 * (3 - size)));
    else
        compact = static_cast<std::uint32_t>((target >> (8 * (size - 3))).low64());
    // The mantissa's top bit is a sign bit: if it would be set, take one more byte of exponent.
    if (compact & 0x00800000) {
        compact >>= 8;
        ++size;
    }
    return compact | (size << 24);
}

const U256& difficulty1_target() {
    static const U256 t = U256(0xFFFF) << 208;
    return t;
}

U256 difficulty_to_target(double difficulty) {
    if (!std::isfinite(difficulty) || difficulty <= 0)
        throw std::invalid_argument("difficulty must be a finite positive number, got " + std::to_string(difficulty));
    // difficulty = mantissa * 2^exp exactly, mantissa a 53-bit integer.
    int exp = 0;
    const double frac = std::frexp(difficulty, &exp);  // difficulty = frac * 2^exp, frac in [0.5, 1)
    auto mantissa = static_cast<std::uint64_t>(std::ldexp(frac, 53));
    exp -= 53;
    while ((mantissa & 1) == 0) {
        mantissa >>= 1;
        ++exp;
    }
    // target = 0xFFFF * 2^(208 - exp) / mantissa
    const int shift = 208 - exp;
    if (shift < 0) {
        // Divide 0xFFFF * 2^208 by mantissa * 2^exp: first by 2^exp, then by the mantissa.
        if (-shift >= 256) return U256();
        return (difficulty1_target() >> static_cast<unsigned>(exp)).div_u64(mantissa);
    }
    // 0xFFFF * 2^shift / mantissa must fit 256 bits: the numerator has 16 + shift bits and the
    // quotient about that minus the mantissa's bit length.
    const int mant_bits = 64 - std::countl_zero(mantissa);
    if (16 + shift - (mant_bits - 1) > 256) return U256::max();
    if (16 + shift <= 256) return (U256(0xFFFF) << static_cast<unsigned>(shift)).div_u64(mantissa);
    // The numerator 0xFFFF * 2^shift passes 256 bits. Write it as A * 2^extra with A = 0xFFFF *
    // 2^(shift - extra) and divide in two steps, exactly: floor(A * 2^extra / m) =
    // floor(A / m) * 2^extra + floor((A mod m) * 2^extra / m). extra < 53 here, so the second
    // term fits in 128 bits.
    const unsigned extra = static_cast<unsigned>(16 + shift - 256);
    const U256 a = U256(0xFFFF) << static_cast<unsigned>(shift - static_cast<int>(extra));
    const U256 q = a.div_u64(mantissa);
    if (q.bit_length() + static_cast<int>(extra) > 256) return U256::max();
    const std::uint64_t rem = a.mod_u64(mantissa);
    const auto low = static_cast<std::uint64_t>((static_cast<unsigned __int128>(rem) << extra) / mantissa);
    const U256 result = (q << extra) + U256(low);
    return result < (q << extra) ? U256::max() : result;  // the sum wrapped: saturate
}

double target_to_difficulty(const U256& target) {
    if (target.is_zero()) return std::numeric_limits<double>::infinity();
    return difficulty1_target().to_double() / target.to_double();
}

namespace {
// 2^256 / difficulty1 = 2^48 / 0xffff.
constexpr double kHashesPerDifficulty1 = 281474976710656.0 / 65535.0;
}  // namespace

double expected_hashes_per_share(double difficulty) { return difficulty * kHashesPerDifficulty1; }
double difficulty_for_hashes_per_share(double hashes) { return hashes / kHashesPerDifficulty1; }

U256 hash_to_u256(std::span<const std::uint8_t, 32> hash) { return U256::from_le_bytes(hash); }

bool hash_meets_target(std::span<const std::uint8_t, 32> hash, const U256& target) {
    return hash_to_u256(hash) <= target;
}

double hash_difficulty(std::span<const std::uint8_t, 32> hash) { return target_to_difficulty(hash_to_u256(hash)); }

}  // namespace hf
