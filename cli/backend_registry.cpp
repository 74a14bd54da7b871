#include "cli/backend_registry.hpp"

#include <stdexcept>

#include "cli/args.hpp"
#include "core/backend_opencl.hpp"
#include "hw_model/asic_backend.hpp"

namespace hf::cli {

std::vector<BackendInfo> cli_backends() {
    std::vector<BackendInfo> out = core_backends();
    // The OpenCL kernel on the selected device (--opencl-device): chosen by name, never by "auto".
    out.push_back(opencl_backend_info());
    // The ASIC emulator (hw_model's asic-emu): functional chips, and the same chips simulated
    // register by register every clock.
    out.push_back(hw::asic_emu_backend_info(hw::SimMode::Functional));
    out.push_back(hw::asic_emu_backend_info(hw::SimMode::Cycle));
    return out;
}

std::vector<BackendInfo> experimental_backends() {
    std::vector<BackendInfo> out;
    const auto shani = find_backend(core_backends(), "shani");
    if (!shani) return out;
    for (int n = 1; n <= 4; ++n)
        out.push_back({"shani-x" + std::to_string(n), Era::Cpu, shani->supported, [n] { return make_shani_backend_streams(n); }});
    // Measured against avx512 and avx512+shani, lost or tied (docs/performance-kernels.md).
    if (const auto avx512 = find_backend(core_backends(), "avx512"))
        out.push_back({"avx512-x2", Era::GpuStyle, avx512->supported, [] { return make_avx512_backend_groups(2); }});
    if (const auto hybrid = find_backend(core_backends(), "avx512+shani"))
        for (int n = 1; n <= 3; ++n)
            out.push_back({"avx512+shani-x" + std::to_string(n), Era::GpuStyle, hybrid->supported,
                           [n] { return make_avx512_shani_backend_streams(n); }});
    return out;
}

std::vector<std::string> backend_choices() {
    std::vector<std::string> out{std::string(kAutoBackend)};
    for (const auto& b : cli_backends()) out.push_back(b.name);
    return out;
}

BackendInfo resolve_backend(std::string_view name, std::vector<CalibrationResult>* report, bool allow_experimental) {
    if (name.empty() || name == kAutoBackend) return choose_backend(core_backends(), std::chrono::milliseconds(5), report);
    std::vector<BackendInfo> all = cli_backends();
    if (allow_experimental)
        for (auto& b : experimental_backends()) all.push_back(std::move(b));
    const auto found = find_backend(all, name);
    if (!found) {
        std::string list;
        for (const auto& c : backend_choices()) {
            if (!list.empty()) list += ", ";
            list += c;
        }
        throw UsageError("--backend: unknown backend '" + std::string(name) + "' (choices: " + list + ")");
    }
    if (!found->supported()) throw std::runtime_error("backend " + found->name + " is not supported: " + unsupported_reason(*found));
    if (const std::string why = backend_self_test(*found); !why.empty())
        throw std::runtime_error("backend " + found->name + " failed its self-test: " + why);
    return *found;
}

void apply_opencl_device(const std::optional<std::string>& value) {
    if (!value) return;
    std::size_t used = 0;
    int index = -1;
    try {
        index = std::stoi(*value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != value->size()) throw UsageError("--opencl-device: '" + *value + "' is not a device number");
    try {
        select_opencl_device(index);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
}

}  // namespace hf::cli
