// What the window does when the person switches layer, head, fusion or source on a 197-token
// model (ViT-B/16 at 224, random weights): the map from the kept attention (attentionMap, as
// AttentionView::showQuery computes it) and the view's repaint, rendered into an image at the
// size of the 1600 x 1000 window's attention view, and the Heads dock's 12 small maps of the layer
// (computed inline here; the window moves them off the GUI thread above a size). And the rollout
// of all 12 layers of ViT-B/16.
// Runs on the offscreen platform. Targets (issue 14): repaint under 16 ms, rollout under 30 ms.
#include <benchmark/benchmark.h>

#include <QApplication>
#include <QImage>
#include <limits>
#include <random>

#include "core/model/synthetic_model.h"
#include "ui/attention_view.h"
#include "ui/heads_panel.h"
#include "ui/layer_head_picker.h"

using namespace vitscope;

namespace {

/// One ViT-B/16 forward at 224 with every attention matrix kept, shared by the benchmarks.
std::shared_ptr<const core::InferenceResult> vitB() {
    static const std::shared_ptr<const core::InferenceResult> result = [] {
        auto model = core::makeSyntheticModel(*core::standardVitConfig("vit-b"), 1);
        core::ImageTensor x{3, 224, 224, std::vector<float>(3 * 224 * 224)};
        std::mt19937 rng(7);
        std::normal_distribution<float> n;
        for (float& v : x.data) v = n(rng);
        auto r = core::runForward(**model, x);
        return std::make_shared<const core::InferenceResult>(std::move(r.value()));
    }();
    return result;
}

/// The queries a person steps through: every layer, then every head, each fusion, sources.
std::vector<ui::AttentionQuery> switches(const core::InferenceResult& r) {
    std::vector<ui::AttentionQuery> qs;
    const int layers = r.attention.layers();
    for (int l = 0; l < layers; ++l) qs.push_back({.layer = l});
    for (int h = 0; h < r.attention.heads(); ++h) qs.push_back({.layer = layers - 1, .head = h});
    for (auto f : {core::HeadFusion::Mean, core::HeadFusion::Max, core::HeadFusion::Min})
        qs.push_back({.layer = layers - 1, .fusion = f});
    for (int t = 1; t < r.tokens.numTokens(); t += 37)
        qs.push_back({.layer = layers - 1, .sourceToken = t});
    return qs;
}

void repaintOnSwitch(benchmark::State& state) {
    const auto result = vitB();
    ui::AttentionView view;
    view.resize(760, 860);  // the attention view of the 1600 x 1000 window (docs/screenshot.png)
    QImage input(224, 224, QImage::Format_RGB888);
    input.fill(Qt::gray);
    view.setImage(input, result->tokens);
    ui::HeadsPanel heads;
    heads.resize(280, 110);  // the Heads of This Layer dock in the same window
    heads.setSynchronousLimit(std::numeric_limits<qint64>::max());
    heads.setResult(input, result);
    const auto queries = switches(*result);
    QImage frame(view.size(), QImage::Format_ARGB32_Premultiplied);
    QImage tiles(heads.size(), QImage::Format_ARGB32_Premultiplied);
    size_t i = 0;
    for (auto _ : state) {
        const ui::AttentionQuery& q = queries[i++ % queries.size()];
        view.showQuery(result, q);
        heads.setQuery(q);
        view.render(&frame);
        heads.render(&tiles);
        benchmark::DoNotOptimize(frame.constBits());
        benchmark::DoNotOptimize(tiles.constBits());
    }
    state.counters["tokens"] = result->tokens.numTokens();
}

void rolloutAllLayers(benchmark::State& state) {
    const auto result = vitB();
    const ui::AttentionQuery query{.layer = result->attention.layers() - 1, .rollout = true};
    for (auto _ : state) {
        auto map = ui::attentionMap(*result, query);
        benchmark::DoNotOptimize(map.data());
    }
    state.counters["layers"] = result->attention.layers();
}

}  // namespace

BENCHMARK(repaintOnSwitch)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(rolloutAllLayers)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
