#include "bench/joules/reference_data.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace hf::joules {
namespace {

const std::set<std::string> kReferenceEras = {"cpu", "gpu", "fpga", "asic"};

std::string required_string(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
        throw std::invalid_argument(where + ": '" + key + "' must be a non-empty string");
    return j[key].get<std::string>();
}

double required_positive(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || !j[key].is_number() || !(j[key].get<double>() > 0))
        throw std::invalid_argument(where + ": '" + key + "' must be a positive number");
    return j[key].get<double>();
}

}  // namespace

const CpuPowerDefault* ReferenceData::cpu_power_default_for(std::string_view cpu_brand) const {
    for (const auto& d : cpu_power_defaults)
        if (cpu_brand.find(d.match) != std::string_view::npos) return &d;
    return nullptr;
}

ReferenceData parse_reference_data(std::string_view json_text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::parse_error& e) {
        throw std::invalid_argument(std::string("reference data is not valid JSON: ") + e.what());
    }
    if (!j.is_object()) throw std::invalid_argument("reference data: top level must be an object");
    ReferenceData d;
    const auto machines = j.value("reference_machines", nlohmann::json::array());
    if (!machines.is_array()) throw std::invalid_argument("reference data: 'reference_machines' must be an array");
    for (std::size_t i = 0; i < machines.size(); ++i) {
        const auto& m = machines[i];
        const std::string where = "reference_machines[" + std::to_string(i) + "]";
        if (!m.is_object()) throw std::invalid_argument(where + ": not an object");
        JoulesRow r;
        r.name = required_string(m, "name", where);
        r.era = required_string(m, "era", where + " (" + r.name + ")");
        if (!kReferenceEras.count(r.era))
            throw std::invalid_argument(where + " (" + r.name + "): 'era' must be cpu, gpu, fpga or asic");
        r.year = static_cast<int>(required_positive(m, "year", where + " (" + r.name + ")"));
        r.hashrate = required_positive(m, "hashrate", where + " (" + r.name + ")");
        r.watts = required_positive(m, "watts", where + " (" + r.name + ")");
        r.source = required_string(m, "source", where + " (" + r.name + ")");
        r.hashrate_source = HashrateSource::Reference;
        r.power_source = PowerSource::Reference;
        r.power_note = "published (see source)";
        d.machines.push_back(std::move(r));
    }
    const auto gpus = j.value("gpu_models", nlohmann::json::array());
    if (!gpus.is_array()) throw std::invalid_argument("reference data: 'gpu_models' must be an array");
    for (const auto& g : gpus) d.gpus.push_back(gpu_spec_from_json(g));
    const auto defaults = j.value("cpu_power_defaults", nlohmann::json::array());
    if (!defaults.is_array()) throw std::invalid_argument("reference data: 'cpu_power_defaults' must be an array");
    for (std::size_t i = 0; i < defaults.size(); ++i) {
        const auto& c = defaults[i];
        const std::string where = "cpu_power_defaults[" + std::to_string(i) + "]";
        if (!c.is_object() || !c.contains("match") || !c["match"].is_string())
            throw std::invalid_argument(where + ": 'match' must be a string");
        CpuPowerDefault p;
        p.match = c["match"].get<std::string>();
        p.watts_per_core = required_positive(c, "watts_per_core", where);
        p.derivation = required_string(c, "derivation", where);
        p.source = required_string(c, "source", where);
        d.cpu_power_defaults.push_back(std::move(p));
    }
    return d;
}

ReferenceData load_embedded_reference_data() { return parse_reference_data(embedded_reference_json()); }

}  // namespace hf::joules
