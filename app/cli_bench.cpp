// `vitscope-cli bench`: the forward pass timed as the window runs it (core::runTensor, every
// attention matrix kept, one workspace reused across runs), on a checkpoint or on a
// random-weight model of a standard shape built in memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli_commands.h"
#include "app/cli_json.h"
#include "app/cli_session.h"
#include "core/model/memory_plan.h"
#include "core/model/synthetic_model.h"

namespace vitscope::app {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// The process's peak resident memory in bytes (Linux VmHWM); 0 when unknown.
uint64_t peakResidentBytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            std::istringstream in(line.substr(6));
            uint64_t kib = 0;
            in >> kib;
            return kib * 1024;
        }
    }
    return 0;
}

/// A fixed N(0, 1) input of the model's channels at (h, w): the values do not change the time.
core::ImageTensor benchInput(int channels, int h, int w) {
    core::ImageTensor x{channels, h, w, std::vector<float>(size_t(channels) * h * w)};
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    for (float& v : x.data) {
        v = normal(rng);
    }
    return x;
}

struct Timings {
    double loadMs = 0;
    double firstResultMs = 0;  ///< from the start of the load to the first result
    double packedMs = 0;       ///< from the start of the load until packing has finished
    std::vector<double> forwardMs;
    bool attentionFull = false;
    uint64_t attentionBytes = 0;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string fixed(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

}  // namespace

int runBench(const CliArgs& args, const char* argv0) {
    const char* cmd = "bench";
    auto runs = args.getInt("runs", 20, 1, 100000);
    auto warmup = args.getInt("warmup", 3, 0, 100000);
    for (const auto* r : {&runs, &warmup}) {
        if (!*r) {
            return fail(cmd, kExitUsage, r->error().message);
        }
    }
    if (args.has("random") && args.has("model")) {
        return fail(cmd, kExitUsage, "--random and --model exclude each other");
    }
    Session s;
    Timings t;
    std::string what;
    const auto start = Clock::now();
    if (args.has("random")) {
        const std::string name = args.get("random");
        const auto config = core::standardVitConfig(name);
        if (!config) {
            return fail(cmd, kExitUsage,
                        "--random must be vit-ti, vit-s or vit-b, got '" + name + "'");
        }
        if (auto code = readRunOptions(args, cmd, s)) {
            return *code;
        }
        auto model = core::makeSyntheticModel(*config, 1);
        if (!model) {
            return fail(cmd, model.error(), Stage::Model);
        }
        s.model = *model;
        what = name + " (random weights, built in memory)";
    } else {
        if (auto code = openSession(args, cmd, argv0, s)) {
            return *code;
        }
        what = s.model->info().path;
    }
    t.loadMs = msSince(start);

    const core::VitConfig& c = s.model->config();
    const int h = s.run.sizeH > 0 ? s.run.sizeH : c.imageH;
    const int w = s.run.sizeW > 0 ? s.run.sizeW : c.imageW;
    const core::ImageTensor input = benchInput(c.channels, h, w);
    auto workspace = core::makeWorkspace();
    int tokens = 0;
    for (int i = 0; i < *warmup + *runs; ++i) {
        auto run = core::runTensor(s.model, input, s.run, workspace.get());
        if (!run) {
            return fail(cmd, run.error(), Stage::Input);
        }
        if (i == 0) {
            t.firstResultMs = msSince(start);
            t.attentionFull = run->result->attention.isFull();
            t.attentionBytes = run->result->memory.attentionBytes();
            tokens = run->result->tokens.numTokens();
            // The steady state is what is timed: the weights packed for oneDNN (in the
            // background since the load) are ready before the warm-up.
            s.model->waitForPacking();
            t.packedMs = msSince(start);
        }
        if (i >= *warmup) {
            t.forwardMs.push_back(run->forwardMs);
        }
    }
    const double med = median(t.forwardMs);
    const double mn = *std::min_element(t.forwardMs.begin(), t.forwardMs.end());
    const double mx = *std::max_element(t.forwardMs.begin(), t.forwardMs.end());
    const uint64_t peak = peakResidentBytes();
    const int threads = core::numThreads();
    if (args.has("json")) {
        nlohmann::json j;
        j["model"] = what;
        j["input"] = {c.channels, h, w};
        j["layers"] = c.depth;
        j["heads"] = c.numHeads;
        j["tokens"] = tokens;
        j["threads"] = threads;
        j["parameters"] = s.model->info().numParameters;
        j["load_ms"] = t.loadMs;
        j["first_result_ms"] = t.firstResultMs;
        j["packed"] = s.model->packedEncoder() != nullptr;
        j["packed_ms"] = t.packedMs;
        j["packed_products"] = core::packedProducts();
        j["forward_ms"] = {{"median", med}, {"min", mn},         {"max", mx},
                           {"runs", *runs}, {"warmup", *warmup}, {"all", t.forwardMs}};
        j["attention"] = {{"storage", t.attentionFull ? "full" : "rebuilt"},
                          {"bytes", t.attentionBytes}};
        j["peak_resident_bytes"] = peak;
        std::printf("%s\n", toJsonText(j).c_str());
        return kExitOk;
    }
    std::printf("model %s: %d layers, %d heads, D %d, %.1f M parameters\n", what.c_str(), c.depth,
                c.numHeads, c.embedDim, s.model->info().numParameters / 1e6);
    std::printf("input %dx%dx%d, %d tokens, %d thread%s\n", c.channels, h, w, tokens, threads,
                threads == 1 ? "" : "s");
    std::printf("forward median %s ms (min %s, max %s, %d runs)\n", fixed(med).c_str(),
                fixed(mn).c_str(), fixed(mx).c_str(), *runs);
    std::printf("load %s ms, first result %s ms after the start of the load\n",
                fixed(t.loadMs).c_str(), fixed(t.firstResultMs).c_str());
    if (s.model->packedEncoder()) {
        std::printf(
            "weights packed for oneDNN's matmul %s ms after the start of the load; %lld "
            "products ran on them\n",
            fixed(t.packedMs).c_str(), static_cast<long long>(core::packedProducts()));
    }
    std::printf("attention kept %s: %s\n", t.attentionFull ? "whole" : "rebuilt on demand",
                core::formatBytes(t.attentionBytes).c_str());
    std::printf("peak resident memory %s\n",
                peak ? core::formatBytes(peak).c_str() : "unknown (no /proc/self/status)");
    return kExitOk;
}

}  // namespace vitscope::app
