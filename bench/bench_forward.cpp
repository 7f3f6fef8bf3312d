// Forward-pass time of ViT-Ti/16, S/16 and B/16-shaped models at 224x224 (random weights, the
// shapes are what matters), keeping every attention matrix, with the thread count as an argument.
// Counters: tokens, attention bytes kept per image, parameters. forward_fresh_workspace is the
// window before it kept its workspace between runs (a new one per run).
#include <benchmark/benchmark.h>

#include <random>

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

BENCHMARK_MAIN();
