// hashforge bench --joules end to end: the table, the JSON rows and the SVG chart from one run,
// power sources said for every row, and bad options refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>
#include <sstream>

#include "tests/support.hpp"
#include "tests/xml_check.hpp"

using hf::test::run_hashforge;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("hf-joules-cli-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("bench --joules: table, JSON and SVG from one run, with a source for every row") {
    TempDir dir;
    const auto json = dir.path / "joules.json";
    const auto svg = dir.path / "joules.svg";
    const auto r = run_hashforge("bench --joules --seconds 0.05 --threads 1 --cpu-watts 6.5 --powercap-root " +
                                 (dir.path / "no-powercap").string() + " --json " + json.string() + " --svg " + svg.string());
    REQUIRE(r.exit_status == 0);
    CHECK(r.output.find("vs scalar") != std::string::npos);
    CHECK(r.output.find("Sources:") != std::string::npos);
    CHECK(r.output.find("Antminer S21") != std::string::npos);

    const auto j = nlohmann::json::parse(slurp(json));
    REQUIRE(j["rows"].is_array());
    const std::set<std::string> sources = {"measured", "declared", "assumed", "modeled", "reference"};
    std::set<std::string> eras, names;
    bool has_scalar = false;
    for (const auto& row : j["rows"]) {
        CAPTURE(row.dump());
        for (const char* key : {"era", "name", "hashrate", "watts", "joules_per_terahash", "power_source", "source"})
            REQUIRE(row.contains(key));
        CHECK(sources.count(row["power_source"].get<std::string>()) == 1);
        CHECK(row["hashrate"].get<double>() > 0);
        CHECK(row["watts"].get<double>() > 0);
        CHECK(row["joules_per_terahash"].get<double>() ==
              doctest::Approx(row["watts"].get<double>() / row["hashrate"].get<double>() * 1e12));
        CHECK_FALSE(row["source"].get<std::string>().empty());
        eras.insert(row["era"].get<std::string>());
        names.insert(row["name"].get<std::string>());
        if (row["hashrate_source"] == "measured") {
            // No powercap here: the user's declared 6.5 W per core, never "measured".
            CHECK(row["power_source"] == "declared");
            // POCL runs the OpenCL kernel on every core, whatever the host threads feeding it.
            const double busy = row["era"] == "gpu" ? std::max(1u, std::thread::hardware_concurrency()) : row["threads"].get<double>();
            CHECK(row["watts"].get<double>() == doctest::Approx(6.5 * busy));
        }
        if (row["name"] == "scalar") {
            has_scalar = true;
            CHECK(row["ratio_to_scalar"].get<double>() == doctest::Approx(1.0));
        }
    }
    CHECK(has_scalar);
    for (const char* era : {"cpu", "gpu-model", "gpu", "fpga", "asic"}) CHECK_MESSAGE(eras.count(era) == 1, era);
    // The ASIC generations, one modeled chip row per node from chips/*.json, largest node first:
    // J/TH falls at every step (the model is calibrated at 16 nm only; every other row predicts).
    std::vector<std::pair<std::string, double>> generations;
    for (const auto& row : j["rows"]) {
        const std::string name = row["name"].get<std::string>();
        if (row["era"] == "asic" && row["power_source"] == "modeled" && name.find(" chip (") != std::string::npos &&
            name.find("asic-emu") == std::string::npos)
            generations.emplace_back(name, row["joules_per_terahash"].get<double>());
    }
    REQUIRE(generations.size() >= 7);
    for (const char* node : {"(110 nm)", "(55 nm)", "(28 nm)", "(16 nm)", "(7 nm)", "(5 nm)", "(3 nm)"}) {
        CAPTURE(node);
        CHECK(std::count_if(generations.begin(), generations.end(), [&](const auto& g) { return g.first.find(node) != std::string::npos; }) >= 1);
    }
    for (std::size_t i = 1; i < generations.size(); ++i) {
        CAPTURE(generations[i].first);
        CHECK(generations[i].second < generations[i - 1].second);
    }
    // avx512 either ran or is reported as skipped, never silently missing.
    bool avx512_said = names.count("avx512") == 1;
    for (const auto& n : j["notes"]) avx512_said = avx512_said || n.get<std::string>().find("avx512: skipped") != std::string::npos;
    CHECK(avx512_said);

    const std::string chart = slurp(svg);
    const auto check = hf::test::check_xml(chart);
    CHECK_MESSAGE(check.ok, check.error);
    CHECK(check.root == "svg");
    for (const auto& row : j["rows"]) {
        std::string name = row["name"].get<std::string>();
        std::string escaped;
        for (char c : name) escaped += c == '&' ? std::string("&amp;") : std::string(1, c);
        CHECK_MESSAGE(chart.find("data-name=\"" + escaped + "\"") != std::string::npos, name);
    }
}

TEST_CASE("bench --joules without RAPL or --cpu-watts says the power is assumed and cites the default") {
    const auto r = run_hashforge("bench --joules --seconds 0.05 --threads 1 --backend scalar --powercap-root /nonexistent --json -");
    REQUIRE(r.exit_status == 0);
    const auto j = nlohmann::json::parse(r.output);
    bool saw = false;
    for (const auto& row : j["rows"]) {
        if (row["hashrate_source"] != "measured") continue;
        saw = true;
        CHECK(row["power_source"] == "assumed");
        CHECK(row["power_note"].get<std::string>().find("TDP") != std::string::npos);
    }
    CHECK(saw);
}

TEST_CASE("bench --joules refuses bad options, naming them") {
    TempDir dir;
    std::ofstream(dir.path / "bad.json") << "{\"reference_machines\": [{\"name\": \"X\"}]}";
    const struct {
        std::string args;
        std::string names;
    } cases[] = {
        {"bench --joules --seconds 0", "--seconds"},
        {"bench --joules --seconds soon", "--seconds"},
        {"bench --joules --cpu-watts -4", "--cpu-watts"},
        {"bench --joules --threads 0", "--threads"},
        {"bench --joules --seconds 0.05 --backend nonesuch", "nonesuch"},
        {"bench --joules --reference /nonexistent/ref.json", "cannot open"},
        {"bench --joules --reference " + (dir.path / "bad.json").string(), "'era'"},
        {"bench --joules --frobnicate", "--frobnicate"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const auto r = run_hashforge(c.args, true);
        CHECK(r.exit_status == 2);
        CHECK(r.output.find(c.names) != std::string::npos);
    }
}
