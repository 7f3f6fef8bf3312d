#pragma once
/// LayersHeadsOverview: every layer x head attention map of the current source as thumbnails
/// (one row per layer), painted by HeadGridFigure through HeadGridView; clicking a thumbnail
/// selects that layer and head.

#include "ui/head_grid_view.h"

namespace vitscope::ui {

class LayersHeadsOverview : public HeadGridView {
    Q_OBJECT
public:
    explicit LayersHeadsOverview(QWidget* parent = nullptr);

    /// Where (layer, head) is drawn, in widget coordinates.
    QRectF tileRect(int layer, int head) const { return rectOf(layer, head); }

    QSize sizeHint() const override { return {480, 480}; }

signals:
    void layerHeadClicked(int layer, int head);

protected:
    void buildTiles(HeadGridFigure& figure, const core::InferenceResult& result,
                    std::vector<core::Matrix> maps, const AttentionQuery& query,
                    int columns) const override;
    /// Always one column per head, whatever the width.
    int columnsFor(int width) const override;
    int tileCount() const override;
    std::pair<int, int> tileOf(int layer, int head, int columns) const override;
    std::pair<int, int> layerHeadAt(int row, int col, int columns) const override;
};

}  // namespace vitscope::ui
