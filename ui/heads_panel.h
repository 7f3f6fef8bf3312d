#pragma once
/// HeadsPanel: small multiples of every head of the current layer for the current source token
/// (painted by HeadGridFigure); clicking a head selects it.

#include <QWidget>
#include <memory>

#include "core/model/inference_result.h"
#include "ui/figures/head_grid_figure.h"
#include "ui/layer_head_picker.h"

namespace vitscope::ui {

class HeadsPanel : public QWidget {
    Q_OBJECT
public:
    explicit HeadsPanel(QWidget* parent = nullptr);

    void setResult(const QImage& shown, std::shared_ptr<const core::InferenceResult> result);
    void setQuery(const AttentionQuery& query);
    void setColormap(core::Colormap colormap);
    void setOpacity(double opacity);
    void clear();

    /// The figure as currently laid out (recomputed if needed), for export and tests.
    const HeadGridFigure& figure() const;
    /// Where head `head` is drawn, in widget coordinates.
    QRectF headRect(int head) const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override { return {360, 260}; }

signals:
    void headClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild() const;
    int columnsFor(int width) const;

    std::shared_ptr<const core::InferenceResult> mResult;
    AttentionQuery mQuery;
    mutable HeadGridFigure mFigure;
    mutable bool mDirty = true;
    mutable int mBuiltColumns = 0;
};

}  // namespace vitscope::ui
