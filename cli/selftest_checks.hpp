// The checks `hashforge selftest` runs: one per implementation or backend compiled in.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace hf::cli {

struct SelfTestOutcome {
    enum Status { Pass, Fail, Skip } status;
    std::string detail;
};

struct SelfTestCheck {
    std::string name;
    std::function<SelfTestOutcome()> run;
};

std::vector<SelfTestCheck> selftest_checks();

}  // namespace hf::cli
