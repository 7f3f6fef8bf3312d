#include "ui/heads_panel.h"

#include <algorithm>

namespace vitscope::ui {

namespace {
constexpr int kMinTile = 72;

/// Every head of the query's layer, for its source token (never a rollout).
std::vector<core::Matrix> headMaps(const core::InferenceResult& result,
                                   const AttentionQuery& query) {
    std::vector<core::Matrix> maps;
    for (int h = 0; h < result.attention.heads(); ++h) {
        AttentionQuery q = query;
        q.head = h;
        q.rollout = false;
        maps.push_back(attentionMap(result, q));
    }
    return maps;
}
}  // namespace

HeadsPanel::HeadsPanel(QWidget* parent)
    : HeadGridView(QStringLiteral("heads"), /*maxTile=*/160, &headMaps, parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    connect(this, &HeadGridView::tileClicked, this, &HeadsPanel::headClicked);
}

int HeadsPanel::tileCount() const { return result() ? result()->attention.heads() : 0; }

int HeadsPanel::columnsFor(int width) const {
    const int heads = tileCount();
    if (heads <= 0) {
        return 1;
    }
    const int byWidth = std::clamp(width / kMinTile, 1, heads);
    // In a widget of a given height, the column count whose tiles come out largest: 12 heads in
    // the short Heads dock of a 1366 x 768 window as 6 x 2 rather than 4 x 3 tiles a third
    // smaller, and in a tall one as 3 x 4 tiles of 100 px.
    const int room = height() - 2 * fontMetrics().lineSpacing();  // less the caption
    if (room < kMinTile / 2) {
        return byWidth;
    }
    auto side = [&](int cols) {
        const int rows = (heads + cols - 1) / cols;
        return std::min(width / cols, room / rows);
    };
    int best = byWidth;
    for (int cols = 1; cols <= heads; ++cols) {
        if (side(cols) > side(best)) {
            best = cols;
        }
    }
    return best;
}

bool HeadsPanel::sameTiles(const AttentionQuery& a, const AttentionQuery& b) const {
    return a.layer == b.layer && HeadGridView::sameTiles(a, b);
}

void HeadsPanel::buildTiles(HeadGridFigure& figure, const core::InferenceResult& result,
                            std::vector<core::Matrix> maps, const AttentionQuery& query,
                            int columns) const {
    const int heads = result.attention.heads();
    QStringList labels;
    for (int h = 0; h < heads; ++h) {
        labels << tr("H%1").arg(h + 1);
    }
    const int rows = (heads + columns - 1) / columns;
    maps.resize(static_cast<size_t>(rows) * columns);  // empty tiles at the end
    figure.setTiles(std::move(maps), rows, columns, {}, {});
    figure.setTileLabels(labels);
    figure.setCaption(
        tr("Layer %1, every head · %2")
            .arg(query.layer + 1)
            .arg(query.reverse ? tr("attention to the source") : tr("attention from the source")));
}

std::pair<int, int> HeadsPanel::tileOf(int /*layer*/, int head, int columns) const {
    return {head / columns, head % columns};
}

std::pair<int, int> HeadsPanel::layerHeadAt(int row, int col, int columns) const {
    const int head = row * columns + col;
    return head < tileCount() ? std::pair(query().layer, head) : std::pair(-1, -1);
}

}  // namespace vitscope::ui
