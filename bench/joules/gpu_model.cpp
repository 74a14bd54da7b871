#include "bench/joules/gpu_model.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bench/joules/opencl_kernel_ops.hpp"
#include "core/block_header.hpp"

namespace hf::joules {

OpCounts kernel_ops_per_nonce(const IsaFeatures& isa) {
    // The kernel hashforge runs on OpenCL devices, counted from its source. Any header will do:
    // which operations depend on the nonce is fixed by the kernel. The genesis block's is used.
    const ScanWork work = ScanWork::from_header(genesis_block_header().serialize(), U256{});
    return trace_opencl_kernel(work, kGenesisNonce, isa).ops;
}

GpuPrediction predict_gpu(const GpuSpec& gpu) {
    GpuPrediction p;
    p.ops_per_hash = kernel_ops_per_nonce(gpu.isa);
    const auto& o = p.ops_per_hash;
    // Classes share the lanes: a lane issuing a shift is not issuing an add that clock.
    p.lane_cycles_per_hash =
        o.adds / gpu.add_rate + o.logic / gpu.logic_rate + o.shifts / gpu.shift_rate + o.rotates / gpu.rotate_rate;
    p.hashrate = gpu.lanes * gpu.clock_mhz * 1e6 / p.lane_cycles_per_hash;
    p.watts = gpu.board_watts;
    p.joules_per_terahash = p.watts / p.hashrate * 1e12;
    if (gpu.published_hashrate && *gpu.published_hashrate > 0) p.error_vs_published = p.hashrate / *gpu.published_hashrate - 1;
    return p;
}

namespace {
double positive(const nlohmann::json& j, const char* key, const std::string& who) {
    if (!j.contains(key) || !j[key].is_number() || j[key].get<double>() <= 0)
        throw std::invalid_argument("gpu model '" + who + "': '" + key + "' must be a positive number");
    return j[key].get<double>();
}
double rate(const nlohmann::json& j, const char* key, const std::string& who) {
    if (!j.contains(key)) return 1.0;
    const double r = j[key].is_number() ? j[key].get<double>() : -1;
    if (r <= 0 || r > 8) throw std::invalid_argument("gpu model '" + who + "': '" + key + "' must be in (0, 8]");
    return r;
}
}  // namespace

GpuSpec gpu_spec_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("gpu model: not an object");
    GpuSpec g;
    if (!j.contains("name") || !j["name"].is_string()) throw std::invalid_argument("gpu model: missing 'name'");
    g.name = j["name"].get<std::string>();
    g.year = static_cast<int>(positive(j, "year", g.name));
    g.architecture = j.value("architecture", "");
    g.lanes = positive(j, "lanes", g.name);
    g.clock_mhz = positive(j, "clock_mhz", g.name);
    g.board_watts = positive(j, "board_watts", g.name);
    const auto isa = j.value("isa", nlohmann::json::object());
    g.isa.native_rotate = isa.value("native_rotate", false);
    g.isa.bit_select = isa.value("bit_select", false);
    g.isa.three_input_logic = isa.value("three_input_logic", false);
    const auto rates = j.value("rates", nlohmann::json::object());
    g.add_rate = rate(rates, "add", g.name);
    g.logic_rate = rate(rates, "logic", g.name);
    g.shift_rate = rate(rates, "shift", g.name);
    g.rotate_rate = rate(rates, "rotate", g.name);
    g.spec_source = j.value("spec_source", "");
    if (g.spec_source.empty()) throw std::invalid_argument("gpu model '" + g.name + "': missing 'spec_source'");
    if (j.contains("published_hashrate") && !j["published_hashrate"].is_null())
        g.published_hashrate = positive(j, "published_hashrate", g.name);
    g.published_source = j.value("published_source", "");
    if (g.published_hashrate && g.published_source.empty())
        throw std::invalid_argument("gpu model '" + g.name + "': a published hashrate needs 'published_source'");
    return g;
}

}  // namespace hf::joules
