#pragma once
/// HeadsPanel: small multiples of every head of the current layer for the current source token
/// (painted by HeadGridFigure through HeadGridView); clicking a head selects it.

#include "ui/head_grid_view.h"

namespace vitscope::ui {

class HeadsPanel : public HeadGridView {
    Q_OBJECT
public:
    explicit HeadsPanel(QWidget* parent = nullptr);

    /// Where head `head` is drawn, in widget coordinates.
    QRectF headRect(int head) const { return rectOf(query().layer, head); }

    QSize sizeHint() const override { return {360, 260}; }

signals:
    void headClicked(int layer, int head);

protected:
    void buildTiles(HeadGridFigure& figure, const core::InferenceResult& result,
                    std::vector<core::Matrix> maps, const AttentionQuery& query,
                    int columns) const override;
    int columnsFor(int width) const override;
    int tileCount() const override;
    bool sameTiles(const AttentionQuery& a, const AttentionQuery& b) const override;
    std::pair<int, int> tileOf(int layer, int head, int columns) const override;
    std::pair<int, int> layerHeadAt(int row, int col, int columns) const override;
};

}  // namespace vitscope::ui
