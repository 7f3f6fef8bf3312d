#include "ui/layers_heads_overview.h"

#include <algorithm>

namespace vitscope::ui {

namespace {
/// Every layer x head map for the query's source token, row-major (layer, head).
std::vector<core::Matrix> allMaps(const core::InferenceResult& result,
                                  const AttentionQuery& query) {
    const int layers = result.attention.layers();
    const int heads = result.attention.heads();
    std::vector<core::Matrix> maps;
    maps.reserve(static_cast<size_t>(layers) * heads);
    for (int l = 0; l < layers; ++l) {
        for (int h = 0; h < heads; ++h) {
            AttentionQuery q = query;
            q.layer = l;
            q.head = h;
            q.rollout = false;
            maps.push_back(attentionMap(result, q));
        }
    }
    return maps;
}
}  // namespace

LayersHeadsOverview::LayersHeadsOverview(QWidget* parent)
    : HeadGridView(QStringLiteral("layers-heads"), /*maxTile=*/120, &allMaps, parent) {
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    connect(this, &HeadGridView::tileClicked, this, &LayersHeadsOverview::layerHeadClicked);
}

int LayersHeadsOverview::columnsFor(int /*width*/) const {
    return result() ? std::max(result()->attention.heads(), 1) : 1;
}

int LayersHeadsOverview::tileCount() const {
    return result() ? result()->attention.layers() * result()->attention.heads() : 0;
}

void LayersHeadsOverview::buildTiles(HeadGridFigure& figure, const core::InferenceResult& result,
                                     std::vector<core::Matrix> maps, const AttentionQuery& query,
                                     int /*columns*/) const {
    const int layers = result.attention.layers();
    const int heads = result.attention.heads();
    QStringList rowLabels;
    QStringList colLabels;
    for (int l = 0; l < layers; ++l) {
        rowLabels << tr("L%1").arg(l + 1);
    }
    for (int h = 0; h < heads; ++h) {
        colLabels << tr("H%1").arg(h + 1);
    }
    figure.setTiles(std::move(maps), layers, heads, rowLabels, colLabels);
    figure.setCaption(
        tr("Every layer (rows) and head (columns) · %1 · each tile scaled to its "
           "own range")
            .arg(query.reverse ? tr("attention to the source") : tr("attention from the source")));
}

std::pair<int, int> LayersHeadsOverview::tileOf(int layer, int head, int /*columns*/) const {
    return {layer, head};
}

std::pair<int, int> LayersHeadsOverview::layerHeadAt(int row, int col, int /*columns*/) const {
    return {row, col};
}

}  // namespace vitscope::ui
