#include "core/hash_backend.hpp"

#include "core/sha256_rounds.hpp"

namespace hf {

ScanWork ScanWork::from_header(const HeaderBytes& header, const U256& target) {
    ScanWork w;
    w.header = header;
    w.midstate = header_midstate(header);
    for (int i = 0; i < 3; ++i) w.tail[static_cast<unsigned>(i)] = sha256::load_be32(header.data() + 64 + 4 * i);
    w.target = target;
    return w;
}

std::string_view era_name(Era era) {
    switch (era) {
        case Era::Cpu: return "CPU";
        case Era::GpuStyle: return "GPU-style";
        case Era::Gpu: return "GPU";
        case Era::Asic: return "ASIC";
    }
    return "?";
}

}  // namespace hf
