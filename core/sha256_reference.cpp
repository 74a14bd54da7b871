// Portable SHA-256 block compression, written straight from FIPS 180-4 section 6.2.2.
#include "core/sha256_impl.hpp"
#include "core/sha256_rounds.hpp"

namespace hf::sha256 {

void compress_reference(State& state, const std::uint8_t* data, std::size_t blocks) {
    for (; blocks > 0; --blocks, data += 64) {
        std::array<std::uint32_t, 64> w;
        for (int t = 0; t < 16; ++t) w[t] = load_be32(data + 4 * t);
        for (int t = 16; t < 64; ++t) w[t] = schedule_word(w[t - 2], w[t - 7], w[t - 15], w[t - 16]);
        State v = state;
        for (int t = 0; t < 64; ++t) round(v, kRoundConstants[t] + w[t]);
        for (int i = 0; i < 8; ++i) state[i] += v[i];
    }
}

}  // namespace hf::sha256
