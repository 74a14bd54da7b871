// Chip descriptions: every shipped file parses, every broken one is one line naming the file and
// the key, and lookups find chips by name or file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hw_model/chip_description.hpp"

using namespace hf::hw;

namespace {

// Parses `text` expecting an error; returns its message.
std::string error_of(const std::string& text) {
    try {
        parse_chip_description(text, "dir/x.json");
    } catch (const ChipDescriptionError& e) {
        return e.what();
    }
    FAIL("no error for " << text);
    return {};
}

const std::string kMinimal = R"({"name": "t", "node_nm": 5, "cores": 2000, "mhz": 300)";

}  // namespace

TEST_CASE("a minimal description takes the defaults the issue names") {
    const ChipDescription c = parse_chip_description(kMinimal + "}", "dir/x.json");
    CHECK(c.name == "t");
    CHECK(c.node_nm == 5);
    CHECK(c.cores == 2000);
    CHECK(c.mhz == 300);
    CHECK_FALSE(c.voltage);
    CHECK(c.core.describe() == CoreConfig{}.describe());  // the BM1387's fully unrolled core
    CHECK(c.protocol == ChipProtocol::None);
    CHECK_FALSE(c.machine);
    CHECK(c.file == "dir/x.json");
}

TEST_CASE("every optional key is read") {
    const ChipDescription c = parse_chip_description(
        kMinimal + R"(, "voltage": 0.31, "protocol": "bm1366",
           "core": {"rounds_per_stage": 2, "loop": 4, "midstates": 2, "midstate": false, "precompute": false, "hardwire": false, "cut": false},
           "machine": {"name": "M", "chips": 3, "psu_efficiency": 0.9, "fans_control_w": 12,
                       "published": {"hashrate_ths": 2, "wall_power_w": 50, "source": "s"}},
           "description": "d", "sources": {"mhz": "m"}})",
        "dir/x.json");
    REQUIRE(c.voltage);
    CHECK(*c.voltage == 0.31);
    CHECK(c.protocol == ChipProtocol::Bm1366);
    CHECK(c.chip_id() == 0x1366);
    CHECK(c.core.rounds_per_stage == 2);
    CHECK(c.core.loop == 4);
    CHECK(c.core.midstates == 2);
    CHECK_FALSE(c.core.midstate_from_host);
    CHECK_FALSE(c.core.precompute_job_rounds);
    CHECK_FALSE(c.core.hardwire_padding);
    CHECK_FALSE(c.core.cut_final_rounds);
    REQUIRE(c.machine);
    CHECK(c.machine->chips == 3);
    CHECK(c.machine->psu_efficiency == 0.9);
    REQUIRE(c.machine->published);
    CHECK(c.machine->published->wall_j_per_th() == doctest::Approx(25));
    CHECK(c.sources.at("mhz") == "m");
}

TEST_CASE("a wrong or missing key is one line naming the file and the key") {
    const struct {
        std::string text, key;
    } cases[] = {
        {R"({"node_nm": 5, "cores": 1, "mhz": 1})", "'name': missing"},
        {R"({"name": "t", "cores": 1, "mhz": 1})", "'node_nm': missing"},
        {R"({"name": "t", "node_nm": 5, "mhz": 1})", "'cores': missing"},
        {R"({"name": "t", "node_nm": 5, "cores": 1})", "'mhz': missing"},
        {R"({"name": "", "node_nm": 5, "cores": 1, "mhz": 1})", "'name': must not be empty"},
        {R"({"name": 7, "node_nm": 5, "cores": 1, "mhz": 1})", "'name': must be text"},
        {R"({"name": "t", "node_nm": "5nm", "cores": 1, "mhz": 1})", "'node_nm': must be a number"},
        {R"({"name": "t", "node_nm": -5, "cores": 1, "mhz": 1})", "'node_nm': must be above 0"},
        {R"({"name": "t", "node_nm": 5, "cores": 1.5, "mhz": 1})", "'cores': must be a whole number"},
        {R"({"name": "t", "node_nm": 5, "cores": 0, "mhz": 1})", "'cores': must be a whole number"},
        {R"({"name": "t", "node_nm": 5, "cores": 1, "mhz": 0})", "'mhz': must be above 0"},
        {kMinimal + R"(, "voltage": 0})", "'voltage': must be above 0"},
        {kMinimal + R"(, "voltage": "0.3"})", "'voltage': must be a number"},
        {kMinimal + R"(, "volatge": 0.3})", "'volatge': unknown key"},
        {kMinimal + R"(, "protocol": "bm1368"})", "'protocol': must be \"bm1366\" or \"bm1397\""},
        {kMinimal + R"(, "core": 4})", "'core': must be an object"},
        {kMinimal + R"(, "core": {"loop": 3}})", "'core': loop"},
        {kMinimal + R"(, "core": {"midstates": 8}})", "'core.midstates': must be a whole number from 1 to 4"},
        {kMinimal + R"(, "core": {"cut": 1}})", "'core.cut': must be true or false"},
        {kMinimal + R"(, "core": {"rounds": 1}})", "'core.rounds': unknown key"},
        {kMinimal + R"(, "machine": {"chips": 3, "psu_efficiency": 0.9, "fans_control_w": 1}})", "'machine.name': missing"},
        {kMinimal + R"(, "machine": {"name": "M", "chips": 3, "psu_efficiency": 1.5, "fans_control_w": 1}})", "'machine.psu_efficiency'"},
        {kMinimal + R"(, "machine": {"name": "M", "chips": 3, "psu_efficiency": 0.9, "fans_control_w": 1, "published": {"hashrate_ths": 1, "wall_power_w": 1}}})",
         "'machine.published.source': missing"},
        {kMinimal + R"(, "sources": {"mhz": 5}})", "'sources.mhz': must be text"},
        {R"([1, 2])", "a chip description is a JSON object"},
        {R"({"name": "t",)", "not valid JSON"},
        {R"({"name": "t", "name": "u", "node_nm": 5, "cores": 1, "mhz": 1} trailing)", "not valid JSON"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const std::string e = error_of(c.text);
        CHECK(e.starts_with("dir/x.json: "));
        CHECK(e.find(c.key) != std::string::npos);
        CHECK(e.find('\n') == std::string::npos);
    }
}

TEST_CASE("shipped chips: all parse, each found by name or file stem in any case; a file by path") {
    REQUIRE(shipped_chips().size() >= 4);
    for (const char* name : {"bm1387", "BM1397", "bm1366", "asic-emu"}) {
        CAPTURE(name);
        CHECK_NOTHROW(shipped_chip(name));
    }
    CHECK(shipped_chip("bm1397").protocol == ChipProtocol::Bm1397);
    CHECK(shipped_chip("bm1366").protocol == ChipProtocol::Bm1366);
    CHECK(shipped_chip("bm1397").chip_id() == 0x1397);
    CHECK(shipped_chip("BM1397").file == "chips/bm1397.json");
    try {
        shipped_chip("bm9999");
        FAIL("bm9999 found");
    } catch (const ChipDescriptionError& e) {
        CHECK(std::string(e.what()).find("bm1387") != std::string::npos);  // the known names are listed
    }
    const auto path = std::filesystem::temp_directory_path() / "hashforge_test_chip.json";
    std::ofstream(path) << kMinimal << "}";
    CHECK(find_chip(path.string()).name == "t");
    CHECK(find_chip("bm1387").name == "BM1387");
    std::filesystem::remove(path);
    CHECK_THROWS_AS(find_chip(path.string()), ChipDescriptionError);  // gone: cannot open
}

TEST_CASE("errors stay one line whatever the file holds: control characters in keys and values are escaped") {
    const std::string key = error_of(kMinimal + R"(, "vol\ntage": 1})");
    CHECK(key.find("'vol\\ntage'") != std::string::npos);
    CHECK(key.find('\n') == std::string::npos);
    const std::string value = error_of(kMinimal + R"(, "protocol": "bm\n1366"})");
    CHECK(value.find("got \"bm\\n1366\"") != std::string::npos);
    CHECK(value.find('\n') == std::string::npos);
    CHECK(error_of(kMinimal + R"(, "voltage": 1e400})").find("not valid JSON: number overflow") != std::string::npos);
}
