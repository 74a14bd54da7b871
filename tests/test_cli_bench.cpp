// hashforge bench and the backend lines of hashforge selftest, end to end.
#include <doctest/doctest.h>

#include "tests/support.hpp"

using hf::test::run_hashforge;

TEST_CASE("bench --json prints one object with measured results") {
    const auto r = run_hashforge("bench --backend scalar --seconds 0.5 -t 1 --json");
    REQUIRE(r.exit_status == 0);
    const auto j = nlohmann::json::parse(r.output);
    REQUIRE(j["cpu_features"].is_array());
    REQUIRE(j["results"].size() == 1);
    const auto& res = j["results"][0];
    CHECK(res["backend"] == "scalar");
    CHECK(res["era"] == "CPU");
    CHECK(res["threads"] == 1);
    CHECK(res["hashes"].get<double>() > 0);
    CHECK(res["seconds"].get<double>() > 0.1);
    CHECK(res["hashrate"].get<double>() == doctest::Approx(res["hashes"].get<double>() / res["seconds"].get<double>()));
}

TEST_CASE("bench --backend all: a table with eras, units and skipped backends") {
    const auto r = run_hashforge("bench --backend all --seconds 0.1 -t 1");
    REQUIRE(r.exit_status == 0);
    CHECK(r.output.find("GPU-style") != std::string::npos);
    CHECK(r.output.find("measured") != std::string::npos);
    CHECK(r.output.find("H/s") != std::string::npos);
    const auto features = run_hashforge("selftest").output;
    if (features.find("avx512f") == std::string::npos) CHECK(r.output.find("avx512") != std::string::npos);
}

TEST_CASE("bench --verify agrees with the reference") {
    const auto r = run_hashforge("bench --backend scalar --verify --seconds 0.2 --json");
    REQUIRE(r.exit_status == 0);
    const auto j = nlohmann::json::parse(r.output);
    CHECK(j["results"][0]["mismatches"] == 0);
    CHECK(j["results"][0]["hashes"].get<double>() > 1000);
}

TEST_CASE("bench refuses bad options, naming them") {
    const auto bad = run_hashforge("bench --backend bogus", true);
    CHECK(bad.exit_status == 2);
    CHECK(bad.output.find("bogus") != std::string::npos);
    CHECK(bad.output.find("auto, scalar") != std::string::npos);
    CHECK(run_hashforge("bench --seconds -1", true).exit_status == 2);
    CHECK(run_hashforge("bench -t 0", true).exit_status == 2);
}

TEST_CASE("selftest checks every backend") {
    const auto r = run_hashforge("selftest");
    CHECK(r.exit_status == 0);
    for (const char* name : {"backend scalar", "backend shani", "backend avx2", "backend avx512"})
        CHECK(r.output.find(name) != std::string::npos);
}

TEST_CASE("opencl from the command line: devices listed, verify against the reference, bad device refused") {
    const auto self = run_hashforge("selftest");
    REQUIRE(self.output.find("backend opencl (GPU)") != std::string::npos);
    if (self.output.find("OpenCL: no OpenCL device") != std::string::npos) {
        MESSAGE("skipped: no OpenCL device (install an OpenCL platform, e.g. Debian's pocl-opencl-icd)");
        CHECK(run_hashforge("bench --backend opencl", true).output.find("no OpenCL device") != std::string::npos);
        return;
    }
    CHECK(self.exit_status == 0);
    CHECK(self.output.find("OpenCL devices (--opencl-device N):") != std::string::npos);
    CHECK(self.output.find("  * 0  ") != std::string::npos);  // numbered, the selected one marked
    CHECK(self.output.find("work size on device 0 (measured)") != std::string::npos);

    const auto r = run_hashforge("bench --backend opencl --opencl-device 0 --verify --seconds 0.3 --json");
    REQUIRE(r.exit_status == 0);
    const auto j = nlohmann::json::parse(r.output);
    CHECK(j["results"][0]["backend"] == "opencl");
    CHECK(j["results"][0]["era"] == "GPU");
    CHECK(j["results"][0]["mismatches"] == 0);
    CHECK(j["results"][0]["hashes"].get<double>() > 1000);

    const auto bad = run_hashforge("bench --backend opencl --opencl-device 99", true);
    CHECK(bad.exit_status == 2);
    CHECK(bad.output.find("--opencl-device 99") != std::string::npos);
    CHECK(run_hashforge("mine --backend opencl --opencl-device x --duration 1", true).exit_status == 2);
}
