// RAPL energy counters read from a fake powercap tree built by the test, the way the kernel lays
// it out: intel-rapl:N (package-N) with intel-rapl:N:M subzones (core, uncore, dram).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "bench/joules/cpu_power.hpp"
#include "bench/joules/rapl.hpp"

namespace fs = std::filesystem;
using namespace hf::joules;

namespace {

struct FakePowercap {
    fs::path root;
    FakePowercap() {
        std::random_device rd;
        root = fs::temp_directory_path() / ("hf-powercap-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(root);
    }
    ~FakePowercap() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    void zone(const std::string& dir, const std::string& name, std::uint64_t energy, std::uint64_t range) {
        fs::create_directories(root / dir);
        std::ofstream(root / dir / "name") << name << "\n";
        std::ofstream(root / dir / "max_energy_range_uj") << range << "\n";
        set(dir, energy);
    }
    void set(const std::string& dir, std::uint64_t energy) { std::ofstream(root / dir / "energy_uj") << energy << "\n"; }
};

constexpr std::uint64_t kRange = 262143328850;  // a real package's max_energy_range_uj

}  // namespace

TEST_CASE("counter_delta_uj: plain difference and one wrap-around") {
    CHECK(counter_delta_uj(1000, 5000, kRange) == 4000);
    CHECK(counter_delta_uj(7, 7, kRange) == 0);
    // Wrapped: from 1,000 below the top, to 500 after 0.
    CHECK(counter_delta_uj(kRange - 1000, 500, kRange) == 1500);
    CHECK(counter_delta_uj(kRange, 0, kRange) == 0);
    // A range smaller than the earlier reading is inconsistent: only the part after 0 is counted.
    CHECK(counter_delta_uj(5000, 100, 1000) == 100);
}

TEST_CASE("RAPL: package and core zones, energy between two samples, other zones ignored") {
    FakePowercap pc;
    pc.zone("intel-rapl:0", "package-0", 1'000'000, kRange);
    pc.zone("intel-rapl:0:0", "core", 400'000, kRange);
    pc.zone("intel-rapl:0:1", "dram", 9'000'000, kRange);
    pc.zone("intel-rapl-mmio:0", "package-0", 5, kRange);  // duplicate of the package: must be skipped
    RaplReader r(pc.root);
    REQUIRE(r.available());
    CHECK(r.domains().size() == 2);
    const auto before = r.sample();
    REQUIRE(before);
    pc.set("intel-rapl:0", 1'000'000 + 25'500'000);  // 25.5 J
    pc.set("intel-rapl:0:0", 400'000 + 20'000'000);  // 20 J
    pc.set("intel-rapl:0:1", 1);                      // dram wrapped: ignored anyway
    const auto after = r.sample();
    REQUIRE(after);
    const RaplEnergy e = r.energy_between(*before, *after);
    CHECK(e.package_joules == doctest::Approx(25.5));
    CHECK(e.has_core);
    CHECK(e.core_joules == doctest::Approx(20.0));
}

TEST_CASE("RAPL: two sockets are summed, and a wrapped counter still gives the right energy") {
    FakePowercap pc;
    pc.zone("intel-rapl:0", "package-0", kRange - 2'000'000, kRange);
    pc.zone("intel-rapl:1", "package-1", 10, kRange);
    RaplReader r(pc.root);
    REQUIRE(r.available());
    const auto before = r.sample();
    pc.set("intel-rapl:0", 3'000'000);  // wrapped: 2 J to the top, 3 J after
    pc.set("intel-rapl:1", 10 + 4'000'000);
    const auto after = r.sample();
    REQUIRE(before);
    REQUIRE(after);
    const RaplEnergy e = r.energy_between(*before, *after);
    CHECK(e.package_joules == doctest::Approx(9.0));
    CHECK_FALSE(e.has_core);
}

TEST_CASE("RAPL: missing or unusable powercap is reported, never guessed") {
    SUBCASE("no powercap directory") {
        RaplReader r("/nonexistent/powercap");
        CHECK_FALSE(r.available());
        CHECK(r.why_unavailable().find("does not exist") != std::string::npos);
    }
    SUBCASE("powercap without RAPL zones") {
        FakePowercap pc;
        fs::create_directories(pc.root / "dtpm");
        RaplReader r(pc.root);
        CHECK_FALSE(r.available());
        CHECK(r.why_unavailable().find("no intel-rapl zones") != std::string::npos);
    }
    SUBCASE("energy_uj cannot be read (a directory where the file should be)") {
        FakePowercap pc;
        pc.zone("intel-rapl:0", "package-0", 0, kRange);
        fs::remove(pc.root / "intel-rapl:0" / "energy_uj");
        fs::create_directory(pc.root / "intel-rapl:0" / "energy_uj");
        RaplReader r(pc.root);
        CHECK_FALSE(r.available());
        CHECK(r.why_unavailable().find("energy_uj") != std::string::npos);
    }
    SUBCASE("energy_uj is not readable by this user (permission bits; skipped as root)") {
        if (::geteuid() != 0) {
            FakePowercap pc;
            pc.zone("intel-rapl:0", "package-0", 0, kRange);
            fs::permissions(pc.root / "intel-rapl:0" / "energy_uj", fs::perms::none);
            RaplReader r(pc.root);
            CHECK_FALSE(r.available());
            CHECK(r.why_unavailable().find("root-only") != std::string::npos);
        }
    }
    SUBCASE("energy_uj holds garbage") {
        FakePowercap pc;
        pc.zone("intel-rapl:0", "package-0", 0, kRange);
        std::ofstream(pc.root / "intel-rapl:0" / "energy_uj") << "12ab\n";
        RaplReader r(pc.root);
        CHECK_FALSE(r.available());
        CHECK(r.why_unavailable().find("not a number") != std::string::npos);
    }
    SUBCASE("only a core zone, no package") {
        FakePowercap pc;
        pc.zone("intel-rapl:0:0", "core", 0, kRange);
        RaplReader r(pc.root);
        CHECK_FALSE(r.available());
    }
    SUBCASE("a counter that becomes unreadable between samples") {
        FakePowercap pc;
        pc.zone("intel-rapl:0", "package-0", 0, kRange);
        RaplReader r(pc.root);
        REQUIRE(r.available());
        REQUIRE(r.sample());
        fs::remove(pc.root / "intel-rapl:0" / "energy_uj");
        CHECK_FALSE(r.sample());
        CHECK(r.why_unavailable().find("energy_uj") != std::string::npos);
    }
}

TEST_CASE("CPU power: measured beats declared beats assumed, and every note says which") {
    const CpuPowerDefault assumed{"", 5.0, "test CPU: 40 W / 8 cores", "a datasheet"};
    CpuPowerInputs in;
    in.threads = 2;
    in.seconds = 2.0;
    in.assumed = &assumed;
    in.declared_watts_per_core = 12.0;
    in.rapl = RaplEnergy{30.0, 20.0, true};

    auto p = attribute_cpu_power(in);
    CHECK(p.source == PowerSource::Measured);
    CHECK(p.watts == doctest::Approx(15.0));
    CHECK(p.note.find("cores: 10.0 W") != std::string::npos);

    in.rapl = RaplEnergy{0.0, 0.0, false};  // a counter that did not move is no measurement
    p = attribute_cpu_power(in);
    CHECK(p.source == PowerSource::Declared);
    CHECK(p.watts == doctest::Approx(24.0));
    CHECK(p.note.find("did not advance") != std::string::npos);

    in.rapl.reset();
    in.declared_watts_per_core.reset();
    in.rapl_unavailable_reason = "no powercap";
    p = attribute_cpu_power(in);
    CHECK(p.source == PowerSource::Assumed);
    CHECK(p.watts == doctest::Approx(10.0));
    CHECK(p.note.find("a datasheet") != std::string::npos);
    CHECK(p.note.find("no powercap") != std::string::npos);

    in.assumed = nullptr;
    CHECK_THROWS_AS(attribute_cpu_power(in), std::invalid_argument);
}
