// Forward-pass time of ViT-Ti/16, S/16 and B/16-shaped models at 224x224 (random weights, the
// shapes are what matters), keeping every attention matrix, with the thread count as an argument.
// Counters: tokens, attention bytes kept per image, parameters. forward_fresh_workspace is the
// window before it kept its workspace between runs (a new one per run). gemm_peak is the
// machine's sgemm rate through the same seam (a 2048^3 product), the bound the issue compares
// the forward with: the forward's GFLOP/s counter over gemm_peak's is the share of the peak.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <random>

#include "core/model/gemm.h"
#include "core/model/synthetic_model.h"

using namespace vitscope::core;

namespace {

void forward(benchmark::State& state, const char* shape, bool reuseWorkspace) {
    setNumThreads(static_cast<int>(state.range(0)));
    auto model = makeSyntheticModel(*standardVitConfig(shape), 1);
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    (*model)->waitForPacking();  // the steady state: the weights packed for oneDNN's matmul
    ImageTensor x{3, 224, 224, std::vector<float>(3 * 224 * 224)};
    std::mt19937 rng(7);
    std::normal_distribution<float> n;
    for (float& v : x.data) v = n(rng);
    auto ws = makeWorkspace();
    size_t attentionBytes = 0;
    for (auto _ : state) {
        if (!reuseWorkspace) {
            ws = makeWorkspace();
        }
        auto r = runForward(**model, x, {}, ws.get());
        benchmark::DoNotOptimize(r);
        attentionBytes = r->attention.raw().size() * sizeof(float);
    }
    state.counters["tokens"] = (*model)->config().numTokens();
    state.counters["attn_MB"] = attentionBytes / 1e6;
    state.counters["params_M"] = (*model)->info().numParameters / 1e6;
    state.counters["img/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["GFLOP/s"] = benchmark::Counter(
        1e-9 *
            static_cast<double>(forwardFlops((*model)->config(), (*model)->config().numTokens())) *
            static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
}

void gemmPeak(benchmark::State& state) {
    setNumThreads(static_cast<int>(state.range(0)));
    const int64_t n = 2048;
    std::vector<float> a(n * n), b(n * n), c(n * n);
    std::mt19937 rng(3);
    std::normal_distribution<float> normal;
    for (float& v : a) v = normal(rng);
    for (float& v : b) v = normal(rng);
    omp_set_num_threads(numThreads());
    for (auto _ : state) {
        detail::gemmAB(a.data(), n, b.data(), n, c.data(), n, n, n, n);
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["GFLOP/s"] = benchmark::Counter(
        2e-9 * n * n * n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(forward, vit_ti16_224, "vit-ti", true)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, vit_s16_224, "vit-s", true)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, vit_b16_224, "vit-b", true)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, vit_b16_224_fresh_workspace, "vit-b", false)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(gemmPeak)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
