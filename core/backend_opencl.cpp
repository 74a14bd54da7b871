// The opencl backend: host side of core/opencl/sha256d.cl. One process-wide runtime per device
// (context, program compiled once, work sizes measured once); one command queue, kernel object and
// result buffer per backend instance, since the search engine makes one instance per thread.
#include "core/backend_opencl.hpp"

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include "core/sha256d_plan.hpp"

namespace hf {

extern const char* const kOpenClSha256dSource;  // core/opencl/sha256d.cl, embedded at build time

namespace {

// The kernel's Plan struct, field for field (all 32-bit words, so no padding on any device).
struct ClPlan {
    std::array<cl_uint, 8> v3;
    std::array<cl_uint, 8> midstate;
    cl_uint w16, w17, w18_part, w19_part, w31_part, w32_part;
    std::array<cl_uint, 8> h2_v1;
    cl_uint h7_limit;
};
static_assert(sizeof(ClPlan) == 31 * sizeof(cl_uint));

ClPlan to_cl_plan(const Sha256dPlan& p) {
    ClPlan c{};
    std::copy(p.v3.begin(), p.v3.end(), c.v3.begin());
    std::copy(p.midstate.begin(), p.midstate.end(), c.midstate.begin());
    c.w16 = p.w16, c.w17 = p.w17, c.w18_part = p.w18_part, c.w19_part = p.w19_part;
    c.w31_part = p.w31_part, c.w32_part = p.w32_part;
    std::copy(p.h2_v1.begin(), p.h2_v1.end(), c.h2_v1.begin());
    c.h7_limit = p.h7_limit;
    return c;
}

void check(cl_int err, std::string_view what) {
    if (err != CL_SUCCESS) throw std::runtime_error("OpenCL: " + std::string(what) + " failed (error " + std::to_string(err) + ")");
}

std::string device_string(cl_device_id d, cl_device_info what) {
    std::size_t n = 0;
    if (clGetDeviceInfo(d, what, 0, nullptr, &n) != CL_SUCCESS || n == 0) return {};
    std::string s(n, '\0');
    clGetDeviceInfo(d, what, n, s.data(), nullptr);
    s.resize(s.find('\0') == std::string::npos ? s.size() : s.find('\0'));
    return s;
}

struct Device {
    cl_device_id id;
    OpenClDeviceInfo info;
};

std::vector<Device> enumerate_devices() {
    std::vector<Device> out;
    cl_uint np = 0;
    if (clGetPlatformIDs(0, nullptr, &np) != CL_SUCCESS || np == 0) return out;
    std::vector<cl_platform_id> platforms(np);
    clGetPlatformIDs(np, platforms.data(), nullptr);
    for (cl_platform_id p : platforms) {
        std::size_t n = 0;
        clGetPlatformInfo(p, CL_PLATFORM_NAME, 0, nullptr, &n);
        std::string pname(n, '\0');
        clGetPlatformInfo(p, CL_PLATFORM_NAME, n, pname.data(), nullptr);
        pname.resize(pname.find('\0') == std::string::npos ? pname.size() : pname.find('\0'));
        cl_uint nd = 0;
        if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &nd) != CL_SUCCESS || nd == 0) continue;
        std::vector<cl_device_id> ids(nd);
        clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, ids.data(), nullptr);
        for (cl_device_id d : ids) {
            Device dev{d, {}};
            dev.info.index = static_cast<int>(out.size());
            dev.info.platform = pname;
            dev.info.name = device_string(d, CL_DEVICE_NAME);
            dev.info.version = device_string(d, CL_DEVICE_VERSION);
            cl_device_type type = 0;
            clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, nullptr);
            dev.info.type = (type & CL_DEVICE_TYPE_GPU) ? "GPU" : (type & CL_DEVICE_TYPE_CPU) ? "CPU"
                            : (type & CL_DEVICE_TYPE_ACCELERATOR) ? "accelerator" : "other";
            cl_uint v = 0;
            clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof v, &v, nullptr);
            dev.info.compute_units = v;
            clGetDeviceInfo(d, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof v, &v, nullptr);
            dev.info.clock_mhz = v;
            out.push_back(std::move(dev));
        }
    }
    return out;
}

const std::vector<Device>& devices() {
    static const std::vector<Device> all = enumerate_devices();
    return all;
}

std::mutex selection_mutex;
int selection = -1;  // -1: not chosen by the user

int default_device() {
    for (const auto& d : devices())
        if (d.info.type == "GPU") return d.info.index;
    return 0;
}

// What every instance on one device shares. Built once and kept until the process exits.
struct Runtime {
    cl_device_id device = nullptr;
    cl_context context = nullptr;
    cl_program program = nullptr;
    std::string error;  // non-empty: unusable, and why
    unsigned vector_width = 1;  // nonces per work-item: the device's native int vector width
    OpenClWorkSize work;
};

OpenClWorkSize measure_work_size(Runtime& rt);

// The device's own declaration (CL_DEVICE_NATIVE_VECTOR_WIDTH_INT), as a width the kernel takes.
unsigned native_vector_width(cl_device_id device) {
    cl_uint n = 1;
    if (clGetDeviceInfo(device, CL_DEVICE_NATIVE_VECTOR_WIDTH_INT, sizeof n, &n, nullptr) != CL_SUCCESS) n = 1;
    unsigned width = 1;
    while (width < 16 && width * 2 <= n) width *= 2;
    return width;
}

Runtime* build_runtime(int index) {
    auto* rt = new Runtime;  // lives as long as the process: instances may run until exit
    if (devices().empty()) {
        rt->error = "no OpenCL device";
        return rt;
    }
    if (index < 0 || index >= static_cast<int>(devices().size())) {
        rt->error = "no OpenCL device " + std::to_string(index);
        return rt;
    }
    rt->device = devices()[static_cast<std::size_t>(index)].id;
    cl_int err = CL_SUCCESS;
    rt->context = clCreateContext(nullptr, 1, &rt->device, nullptr, nullptr, &err);
    if (err != CL_SUCCESS) {
        rt->error = "clCreateContext failed (error " + std::to_string(err) + ")";
        return rt;
    }
    rt->vector_width = native_vector_width(rt->device);
    const std::string options = "-D VECTOR_WIDTH=" + std::to_string(rt->vector_width);
    const char* src = kOpenClSha256dSource;
    rt->program = clCreateProgramWithSource(rt->context, 1, &src, nullptr, &err);
    if (err == CL_SUCCESS) err = clBuildProgram(rt->program, 1, &rt->device, options.c_str(), nullptr, nullptr);
    if (err != CL_SUCCESS) {
        std::size_t n = 0;
        clGetProgramBuildInfo(rt->program, rt->device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &n);
        std::string log(n, '\0');
        clGetProgramBuildInfo(rt->program, rt->device, CL_PROGRAM_BUILD_LOG, n, log.data(), nullptr);
        rt->error = "kernel build failed (error " + std::to_string(err) + "): " + log.substr(0, 2000);
        return rt;
    }
    try {
        rt->work = measure_work_size(*rt);
    } catch (const std::exception& e) {
        rt->error = e.what();
    }
    return rt;
}

Runtime& runtime() {
    static std::mutex mutex;
    // Never destroyed (nor its runtimes): worker threads may still use them while the process
    // exits, and a driver may already be unloading then. Reachable, so not a leak.
    static auto* const built = new std::map<int, Runtime*>;
    const int index = selected_opencl_device();
    std::lock_guard lock(mutex);
    Runtime*& rt = (*built)[index];
    if (!rt) rt = build_runtime(index);
    return *rt;
}

// One queue, kernel and result buffer: launches the kernel over a batch of nonces and returns
// the nonces it reported (every one whose H7 may meet the target), in nonce order from `base`.
class Launcher {
public:
    explicit Launcher(const Runtime& rt) : rt_(rt) {
        cl_int err = CL_SUCCESS;
        queue_ = clCreateCommandQueue(rt.context, rt.device, 0, &err);
        check(err, "clCreateCommandQueue");
        kernel_ = clCreateKernel(rt.program, "sha256d_scan", &err);
        check(err, "clCreateKernel");
        grow(256);
    }
    ~Launcher() {
        if (buffer_) clReleaseMemObject(buffer_);
        if (kernel_) clReleaseKernel(kernel_);
        if (queue_) clReleaseCommandQueue(queue_);
    }
    Launcher(const Launcher&) = delete;
    Launcher& operator=(const Launcher&) = delete;

    void set_plan(const Sha256dPlan& plan) {
        const ClPlan c = to_cl_plan(plan);
        check(clSetKernelArg(kernel_, 0, sizeof c, &c), "clSetKernelArg(plan)");
    }

    std::vector<cl_uint>& run(cl_uint base, cl_uint count, std::size_t local) {
        for (;;) {
            const cl_uint zero = 0;
            check(clEnqueueWriteBuffer(queue_, buffer_, CL_FALSE, 0, sizeof zero, &zero, 0, nullptr, nullptr), "clEnqueueWriteBuffer");
            const cl_uint capacity = static_cast<cl_uint>(capacity_);
            check(clSetKernelArg(kernel_, 1, sizeof base, &base), "clSetKernelArg(base)");
            check(clSetKernelArg(kernel_, 2, sizeof count, &count), "clSetKernelArg(count)");
            check(clSetKernelArg(kernel_, 3, sizeof capacity, &capacity), "clSetKernelArg(capacity)");
            check(clSetKernelArg(kernel_, 4, sizeof buffer_, &buffer_), "clSetKernelArg(found)");
            const std::size_t items = (count + rt_.vector_width - 1) / rt_.vector_width;
            const std::size_t global = local ? (items + local - 1) / local * local : items;
            check(clEnqueueNDRangeKernel(queue_, kernel_, 1, nullptr, &global, local ? &local : nullptr, 0, nullptr, nullptr),
                  "clEnqueueNDRangeKernel");
            cl_uint reported = 0;
            check(clEnqueueReadBuffer(queue_, buffer_, CL_TRUE, 0, sizeof reported, &reported, 0, nullptr, nullptr), "clEnqueueReadBuffer");
            if (reported > capacity_) {  // an easy target: more candidates than slots, so again with room
                grow(reported);
                continue;
            }
            found_.resize(reported);
            if (reported > 0)
                check(clEnqueueReadBuffer(queue_, buffer_, CL_TRUE, sizeof(cl_uint), reported * sizeof(cl_uint), found_.data(), 0, nullptr, nullptr),
                      "clEnqueueReadBuffer");
            std::sort(found_.begin(), found_.end(), [base](cl_uint a, cl_uint b) { return a - base < b - base; });
            return found_;
        }
    }

private:
    void grow(std::size_t capacity) {
        if (buffer_) clReleaseMemObject(buffer_);
        cl_int err = CL_SUCCESS;
        buffer_ = clCreateBuffer(rt_.context, CL_MEM_READ_WRITE, (capacity + 1) * sizeof(cl_uint), nullptr, &err);
        check(err, "clCreateBuffer");
        capacity_ = capacity;
    }

    const Runtime& rt_;
    cl_command_queue queue_ = nullptr;
    cl_kernel kernel_ = nullptr;
    cl_mem buffer_ = nullptr;
    std::size_t capacity_ = 0;
    std::vector<cl_uint> found_;
};

// Work sizes by measurement. For each work-group size of 64, 128, 256 work-items the device
// allows, the batch doubles from one work-group per compute unit while a launch takes under
// kBatchTime; each (local, batch) is timed kRepeats times and keeps its fastest (the machine may
// be shared). The fastest rate wins, and among batches within 10% of it, the largest (fewer launches
// per nonce). A launch is the backend's unit of stopping, so kBatchTime bounds how late a stop is
// seen. (The driver's own work-group choice is not tried: POCL compiles the kernel again for every
// work-group size it picks, i.e. for every new batch.)
constexpr double kBatchTime = 0.008;  // seconds
constexpr int kRepeats = 3;

OpenClWorkSize measure_work_size(Runtime& rt) {
    Launcher launcher(rt);
    ScanWork w;  // a zero header at an impossible target: nothing is reported
    launcher.set_plan(make_sha256d_plan(w));
    std::size_t max_local = 0;
    check(clGetDeviceInfo(rt.device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_local, &max_local, nullptr), "clGetDeviceInfo");
    cl_uint units = 1;
    check(clGetDeviceInfo(rt.device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, nullptr), "clGetDeviceInfo");
    std::vector<OpenClWorkSize> tried;
    for (std::size_t local = 64; local <= 256 && local <= max_local; local *= 2) {
        launcher.run(0, 1024, local);  // the first launch at a work-group size may compile
        for (std::size_t batch = local * rt.vector_width * std::max<cl_uint>(units, 1); batch <= (std::size_t{1} << 28); batch *= 2) {
            double best_s = 1e9;
            for (int r = 0; r < kRepeats; ++r) {
                const auto t0 = std::chrono::steady_clock::now();
                launcher.run(0, static_cast<cl_uint>(batch), local);
                best_s = std::min(best_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            }
            tried.push_back({rt.vector_width, local, batch, static_cast<double>(batch) / best_s});
            if (best_s > kBatchTime) break;
        }
    }
    if (tried.empty()) throw std::runtime_error("OpenCL: the device allows no work-group of 64 work-items");
    const auto fastest = std::max_element(tried.begin(), tried.end(), [](const auto& a, const auto& b) { return a.hashrate < b.hashrate; });
    OpenClWorkSize chosen = *fastest;
    for (const auto& t : tried)
        if (t.local == fastest->local && t.hashrate >= 0.9 * fastest->hashrate && t.batch > chosen.batch) chosen = t;
    return chosen;
}

class OpenClBackend final : public HashBackend {
public:
    explicit OpenClBackend(const Runtime& rt) : rt_(rt), launcher_(rt) {}
    std::string_view name() const override { return "opencl"; }
    Era era() const override { return Era::Gpu; }
    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        launcher_.set_plan(make_sha256d_plan(work));
        std::uint64_t done = 0;
        while (done < range.count && !stop.load(std::memory_order_relaxed)) {
            const auto n = static_cast<cl_uint>(std::min<std::uint64_t>(rt_.work.batch, range.count - done));
            const cl_uint base = range.first + static_cast<cl_uint>(done);
            // Every nonce the device reports is re-hashed here with the portable reference.
            for (const cl_uint nonce : launcher_.run(base, n, rt_.work.local))
                if (reference_meets_target(work, nonce)) found.push_back(nonce);
            done += n;
        }
        return done;
    }

private:
    const Runtime& rt_;
    Launcher launcher_;
};

}  // namespace

std::vector<OpenClDeviceInfo> opencl_devices() {
    std::vector<OpenClDeviceInfo> out;
    for (const auto& d : devices()) out.push_back(d.info);
    return out;
}

void select_opencl_device(int index) {
    if (index < 0 || index >= static_cast<int>(devices().size()))
        throw std::invalid_argument("--opencl-device " + std::to_string(index) + ": " +
                                    (devices().empty() ? std::string("no OpenCL device")
                                                       : "devices are 0.." + std::to_string(devices().size() - 1)));
    std::lock_guard lock(selection_mutex);
    selection = index;
}

int selected_opencl_device() {
    {
        std::lock_guard lock(selection_mutex);
        if (selection >= 0) return selection;
    }
    return default_device();
}

std::string opencl_unavailable_reason() { return runtime().error; }

OpenClWorkSize opencl_work_size() { return runtime().work; }

BackendInfo opencl_backend_info() {
    return {"opencl", Era::Gpu, [] { return opencl_unavailable_reason().empty(); },
            []() -> std::unique_ptr<HashBackend> {
                const Runtime& rt = runtime();
                if (!rt.error.empty()) throw std::runtime_error("opencl backend: " + rt.error);
                return std::make_unique<OpenClBackend>(rt);
            }};
}

}  // namespace hf
