#pragma once
/// LayersHeadsOverview: every layer x head attention map of the current source as thumbnails
/// (one row per layer), painted by HeadGridFigure; clicking a thumbnail selects that layer and
/// head.

#include <QWidget>
#include <memory>

#include "core/model/inference_result.h"
#include "ui/figures/head_grid_figure.h"
#include "ui/layer_head_picker.h"

namespace vitscope::ui {

class LayersHeadsOverview : public QWidget {
    Q_OBJECT
public:
    explicit LayersHeadsOverview(QWidget* parent = nullptr);

    void setResult(const QImage& shown, std::shared_ptr<const core::InferenceResult> result);
    void setQuery(const AttentionQuery& query);
    void setColormap(core::Colormap colormap);
    void setOpacity(double opacity);
    void clear();

    const HeadGridFigure& figure() const;
    /// Where (layer, head) is drawn, in widget coordinates.
    QRectF tileRect(int layer, int head) const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override { return {480, 480}; }

signals:
    void layerHeadClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void rebuild() const;

    std::shared_ptr<const core::InferenceResult> mResult;
    AttentionQuery mQuery;
    mutable HeadGridFigure mFigure;
    mutable bool mDirty = true;
};

}  // namespace vitscope::ui
