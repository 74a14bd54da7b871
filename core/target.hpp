// Targets and difficulty, as Bitcoin and Stratum pools define them.
//
// A hash meets a target when, read as a 256-bit little-endian number, it is <= the target.
// Difficulty 1 is the target 0xFFFF * 2^208 (nBits 0x1d00ffff); difficulty D is that target / D.
// Pool share difficulty is the same scale and may be fractional (0.0001) or huge (1e15).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/uint256.hpp"

namespace hf {

struct CompactDecoded {
    U256 target;
    bool negative = false;  // sign bit set with a non-zero mantissa
    bool overflow = false;  // the value does not fit in 256 bits
};

// Bitcoin's SetCompact: nBits -> target, with its sign and overflow rules.
CompactDecoded compact_to_target(std::uint32_t nbits);
// Bitcoin's GetCompact: target -> the shortest nBits that decodes to it (rounding down).
std::uint32_t target_to_compact(const U256& target);

const U256& difficulty1_target();  // 0x00000000FFFF0000...0000

// floor(difficulty1 / difficulty), computed exactly from the double's binary value. A difficulty so
// small that the target would pass 2^256 - 1 gives U256::max(). Throws std::invalid_argument
// for a difficulty that is not finite and positive.
U256 difficulty_to_target(double difficulty);
// difficulty1 / target (a zero target has infinite difficulty).
double target_to_difficulty(const U256& target);

// Hashes a miner does, on average, per share at `difficulty`: difficulty * 2^256 / difficulty1
// (4295032833 at difficulty 1, a little over 2^32). And the difficulty at which `hashes` hashes
// give one share on average (what a miner suggests for a wanted share interval).
double expected_hashes_per_share(double difficulty);
double difficulty_for_hashes_per_share(double hashes);

// The hash as produced by sha256d (internal byte order, i.e. the little-endian number).
U256 hash_to_u256(std::span<const std::uint8_t, 32> hash);
bool hash_meets_target(std::span<const std::uint8_t, 32> hash, const U256& target);
// The share difficulty of a hash: difficulty1 / hash. A zero hash has infinite difficulty.
double hash_difficulty(std::span<const std::uint8_t, 32> hash);

}  // namespace hf
