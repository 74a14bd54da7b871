// An unsigned 256-bit integer: just what targets and difficulty need (compare, shift, divide by a
// 64-bit number, convert to and from double). Hashes are read as little-endian numbers, the way
// Bitcoin compares them against the target.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>

namespace hf {

class U256 {
public:
    constexpr U256() = default;
    constexpr explicit U256(std::uint64_t v) : limbs_{v, 0, 0, 0} {}

    static U256 from_le_bytes(std::span<const std::uint8_t, 32> bytes);
    std::array<std::uint8_t, 32> to_le_bytes() const;
    static U256 from_be_hex(std::string_view hex64);  // 64 hex digits, most significant first
    std::string to_be_hex() const;

    constexpr std::uint64_t limb(int i) const { return limbs_[i]; }
    constexpr void set_limb(int i, std::uint64_t v) { limbs_[i] = v; }

    int bit_length() const;  // 0 for zero
    bool is_zero() const { return bit_length() == 0; }
    std::uint64_t low64() const { return limbs_[0]; }

    U256 operator<<(unsigned shift) const;
    U256 operator>>(unsigned shift) const;
    // Floor division by a non-zero 64-bit divisor, and its remainder.
    U256 div_u64(std::uint64_t divisor) const;
    std::uint64_t mod_u64(std::uint64_t divisor) const;
    // Sum modulo 2^256.
    U256 operator+(const U256& other) const;
    // The value as a double (rounded toward zero to 53 bits is fine for difficulty).
    double to_double() const;

    friend constexpr bool operator==(const U256&, const U256&) = default;
    friend std::strong_ordering operator<=>(const U256& a, const U256& b) {
        for (int i = 3; i >= 0; --i)
            if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
        return std::strong_ordering::equal;
    }

    static U256 max();

private:
    std::array<std::uint64_t, 4> limbs_{};  // least significant first
};

}  // namespace hf
