#include "stratum/notify.hpp"

#include "core/hex.hpp"

namespace hf::stratum {
namespace {

const std::string& require_string(const nlohmann::json& params, std::size_t index, const char* field) {
    if (!params.at(index).is_string())
        throw ProtocolError(std::string("mining.notify: ") + field + " (parameter " + std::to_string(index + 1) +
                            ") must be a string, got " + params.at(index).type_name());
    return params.at(index).get_ref<const std::string&>();
}

// Runs a hex decode and turns its error (which already names the field) into a ProtocolError.
template <typename F>
auto field(F&& decode) -> decltype(decode()) {
    try {
        return decode();
    } catch (const HexError& e) {
        throw ProtocolError(std::string("mining.notify: ") + e.what());
    }
}

}  // namespace

MiningJob parse_notify(const nlohmann::json& message_or_params) {
    const nlohmann::json* params = &message_or_params;
    if (message_or_params.is_object()) {
        if (message_or_params.contains("method") && message_or_params["method"] != "mining.notify")
            throw ProtocolError("not a mining.notify message: method is " + message_or_params["method"].dump());
        if (!message_or_params.contains("params")) throw ProtocolError("mining.notify: no params");
        params = &message_or_params["params"];
    }
    if (!params->is_array()) throw ProtocolError("mining.notify: params must be an array");
    if (params->size() < 9)
        throw ProtocolError("mining.notify: expected 9 parameters, got " + std::to_string(params->size()));
    const auto& p = *params;

    MiningJob job;
    if (p[0].is_string())
        job.job_id = p[0].get<std::string>();
    else if (p[0].is_number_integer())
        job.job_id = p[0].dump();  // some pools send numeric ids; submit them back as text
    else
        throw ProtocolError("mining.notify: job_id (parameter 1) must be a string");
    if (job.job_id.empty()) throw ProtocolError("mining.notify: job_id (parameter 1) is empty");

    job.prev_hash = field([&] { return prevhash_from_notify_hex(require_string(p, 1, "prevhash")); });
    job.coinb1 = field([&] { return hex_decode(require_string(p, 2, "coinb1"), "coinb1"); });
    job.coinb2 = field([&] { return hex_decode(require_string(p, 3, "coinb2"), "coinb2"); });
    if (!p[4].is_array()) throw ProtocolError("mining.notify: merkle_branch (parameter 5) must be an array");
    for (std::size_t i = 0; i < p[4].size(); ++i) {
        const std::string what = "merkle_branch[" + std::to_string(i) + "]";
        if (!p[4][i].is_string()) throw ProtocolError("mining.notify: " + what + " must be a string");
        job.merkle_branch.push_back(
            field([&] { return hex_decode_fixed<32>(p[4][i].get_ref<const std::string&>(), what); }));
    }
    job.version = field([&] { return hex_to_u32(require_string(p, 5, "version"), "version"); });
    job.nbits = field([&] { return hex_to_u32(require_string(p, 6, "nbits"), "nbits"); });
    job.ntime = field([&] { return hex_to_u32(require_string(p, 7, "ntime"), "ntime"); });
    if (!p[8].is_boolean()) throw ProtocolError("mining.notify: clean_jobs (parameter 9) must be true or false");
    job.clean_jobs = p[8].get<bool>();
    return job;
}

}  // namespace hf::stratum
