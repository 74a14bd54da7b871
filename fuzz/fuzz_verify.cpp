// Fuzz target: `hashforge verify`'s input, a mining.notify read from a file. The job text goes
// through the same parse_json + parse_notify as the command, then the share is rebuilt. The
// contract: bad input raises ProtocolError only, and a parsed job always hashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/target.hpp"
#include "stratum/message.hpp"

using namespace hf;
using namespace hf::stratum;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const MiningJob job = parse_notify(parse_json(text));
        const std::uint8_t en1[4] = {1, 2, 3, 4}, en2[8] = {};
        const ShareWork w = compute_share(job, en1, en2, job.ntime, 0, job.version);
        const double d = hash_difficulty(w.hash);
        (void)hash_meets_target(w.hash, difficulty_to_target(d > 0 ? d : 1));
    } catch (const ProtocolError&) {
    }
    return 0;
}
