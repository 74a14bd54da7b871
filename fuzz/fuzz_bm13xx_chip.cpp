// Fuzz target: the emulated chips' side of the BM13xx wire. The first byte picks the model (bit 0)
// and the chain length (bits 1..2: 1-4 chips); the rest arrives as a host's bytes would, in two
// writes, with a few sweep steps between. The contract: no byte stream crashes or stalls the chain,
// and everything it sends upstream is well-formed responses (CRC-valid, nothing skipped).
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/backends.hpp"
#include "hw_model/bm13xx_protocol.hpp"
#include "hw_model/wire_chain.hpp"

using namespace hf;
using namespace hf::hw;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const BackendInfo scalar = *find_backend(core_backends(), "scalar");
    const WireModel model = (data[0] & 1) ? WireModel::BM1397 : WireModel::BM1366;
    WireChainConfig config{default_wire_profile(model), 1u + ((data[0] >> 1) & 3u), 1u << 16, scalar};
    config.profile.cores = 4;  // a small die keeps each sweep step short
    WireChain chain(config);
    const std::span<const std::uint8_t> bytes(data + 1, size - 1);
    chain.from_host(bytes.first(bytes.size() / 2));
    for (int i = 0; i < 4; ++i) chain.step();
    chain.from_host(bytes.subspan(bytes.size() / 2));
    for (int i = 0; i < 4; ++i) chain.step();

    // Upstream must parse cleanly; register answers may come in either length on a BM1366 (before
    // and after version rolling is enabled), so only the BM1397's stream is checked byte for byte.
    const auto up = chain.take_upstream();
    if (model == WireModel::BM1397) {
        bm13xx::ChipFrameParser parser(false);
        parser.feed(up);
        while (parser.next()) {
        }
        if (parser.errors() != 0 || parser.skipped() != 0) __builtin_trap();
    }
    return 0;
}
