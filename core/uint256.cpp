#include "core/uint256.hpp"

#include <bit>
#include <cmath>

#include "core/hex.hpp"

namespace hf {

U256 U256::from_le_bytes(std::span<const std::uint8_t, 32> bytes) {
    U256 r;
    for (int i = 0; i < 32; ++i) r.limbs_[i / 8] |= std::uint64_t{bytes[i]} << (8 * (i % 8));
    return r;
}

std::array<std::uint8_t, 32> U256::to_le_bytes() const {
    std::array<std::uint8_t, 32> out{};
    for (int i = 0; i < 32; ++i) out[i] = static_cast<std::uint8_t>(limbs_[i / 8] >> (8 * (i % 8)));
    return out;
}

U256 U256::from_be_hex(std::string_view hex64) {
    auto be = hex_decode_fixed<32>(hex64, "256-bit number");
    std::array<std::uint8_t, 32> le;
    for (int i = 0; i < 32; ++i) le[i] = be[31 - i];
    return from_le_bytes(le);
}

std::string U256::to_be_hex() const {
    auto le = to_le_bytes();
    return hex_encode_reversed(le);
}

int U256::bit_length() const {
    for (int i = 3; i >= 0; --i)
        if (limbs_[i] != 0) return 64 * i + (64 - std::countl_zero(limbs_[i]));
    return 0;
}

U256 U256::operator<<(unsigned shift) const {
    U256 r;
    if (shift >= 256) return r;
    const unsigned limb_shift = shift / 64, bit_shift = shift % 64;
    for (int i = 3; i >= static_cast<int>(limb_shift); --i) {
        std::uint64_t v = limbs_[i - limb_shift] << bit_shift;
        if (bit_shift != 0 && i - static_cast<int>(limb_shift) - 1 >= 0)
            v |= limbs_[i - limb_shift - 1] >> (64 - bit_shift);
        r.limbs_[i] = v;
    }
    return r;
}

U256 U256::operator>>(unsigned shift) const {
    U256 r;
    if (shift >= 256) return r;
    const unsigned limb_shift = shift / 64, bit_shift = shift % 64;
    for (unsigned i = 0; i + limb_shift < 4; ++i) {
        std::uint64_t v = limbs_[i + limb_shift] >> bit_shift;
        if (bit_shift != 0 && i + limb_shift + 1 < 4) v |= limbs_[i + limb_shift + 1] << (64 - bit_shift);
        r.limbs_[i] = v;
    }
    return r;
}

U256 U256::div_u64(std::uint64_t divisor) const {
    U256 q;
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; --i) {
        const unsigned __int128 cur = (rem << 64) | limbs_[i];
        q.limbs_[i] = static_cast<std::uint64_t>(cur / divisor);
        rem = cur % divisor;
    }
    return q;
}

std::uint64_t U256::mod_u64(std::uint64_t divisor) const {
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; --i) rem = ((rem << 64) | limbs_[i]) % divisor;
    return static_cast<std::uint64_t>(rem);
}

U256 U256::operator+(const U256& other) const {
    U256 r;
    unsigned __int128 carry = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned __int128 sum = carry + limbs_[i] + other.limbs_[i];
        r.limbs_[i] = static_cast<std::uint64_t>(sum);
        carry = sum >> 64;
    }
    return r;
}

double U256::to_double() const {
    double r = 0;
    for (int i = 3; i >= 0; --i) r = r * 18446744073709551616.0 + static_cast<double>(limbs_[i]);
    return r;
}

U256 U256::max() {
    U256 r;
    r.limbs_ = {~0ull, ~0ull, ~0ull, ~0ull};
    return r;
}

}  // namespace hf
