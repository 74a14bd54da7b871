#include "cli/selftest_checks.hpp"

#include "cli/backend_registry.hpp"
#include "core/sha256_impl.hpp"

namespace hf::cli {

std::vector<SelfTestCheck> selftest_checks() {
    std::vector<SelfTestCheck> checks;
    for (const auto& impl : sha256::implementations()) {
        checks.push_back({"sha256 " + std::string(impl.name), [&impl]() -> SelfTestOutcome {
                              if (!impl.supported()) return {SelfTestOutcome::Skip, "not supported by this CPU"};
                              const auto why = sha256::self_test(impl);
                              if (!why.empty()) return {SelfTestOutcome::Fail, std::string(why)};
                              const bool in_use = &sha256::selected() == &impl;
                              return {SelfTestOutcome::Pass, in_use ? "FIPS 180-4 vectors (in use)" : "FIPS 180-4 vectors"};
                          }});
    }
    // Hashing backends: the genesis block and random headers against the portable reference.
    for (const auto& backend : cli_backends()) {  // core's and the emulated ASIC
        checks.push_back({"backend " + backend.name + " (" + std::string(era_name(backend.era)) + ")",
                          [backend]() -> SelfTestOutcome {
                              if (!backend.supported()) return {SelfTestOutcome::Skip, unsupported_reason(backend)};
                              const std::string why = backend_self_test(backend);
                              if (!why.empty()) return {SelfTestOutcome::Fail, why};
                              return {SelfTestOutcome::Pass, "genesis block + random headers vs reference"};
                          }});
    }
    return checks;
}

}  // namespace hf::cli
