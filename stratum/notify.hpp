// Decoding mining.notify into a MiningJob. Every field is checked for type and exact hex width,
// and an error names the field, so a malformed pool message is reported, never half-used.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/work.hpp"

namespace hf::stratum {

class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Accepts the whole message ({"method":"mining.notify","params":[...]}) or just its params array.
MiningJob parse_notify(const nlohmann::json& message_or_params);

}  // namespace hf::stratum
