#pragma once
/// AttentionView: the image the model saw with the attention overlay (zoom, pan, fit), painted by
/// AttentionFigure. Hover reports patch (row, col), token and value; a click picks the patch as
/// the attention source. Holds only values (a QImage and a Matrix), never worker memory.

#include <QList>
#include <QWidget>
#include <memory>

#include "core/model/inference_result.h"
#include "ui/figures/attention_figure.h"
#include "ui/layer_head_picker.h"

class QAction;

namespace vitscope::ui {

class JobRunner;

class AttentionView : public QWidget {
    Q_OBJECT
public:
    explicit AttentionView(QWidget* parent = nullptr);

    /// The shown image and the token layout of the current result.
    void setImage(const QImage& shown, const core::TokenLayout& tokens);
    /// The image the user opened and where the run's patches lie on it (for
    /// AttentionBase::Original); a tensor run clears it and the map stays on the model input.
    void setOriginal(const core::Run& run);
    /// The (gridH, gridW) map to overlay; `sourceToken` is outlined when it is a patch.
    void setMap(const core::Matrix& map, int sourceToken, const QString& caption);
    /// Computes and shows the map of `query` on `result` (with its caption): one row or column
    /// at once, a rollout (up to `depth` (N, N) products) as a JobRunner job, latest wins.
    void showQuery(std::shared_ptr<const core::InferenceResult> result,
                   const AttentionQuery& query);
    void clear();

    const core::TokenLayout& tokens() const { return mTokens; }
    /// Runs the rollout maps (for tests: wait until it is idle).
    JobRunner* mapJobs() const { return mMapJobs; }

    const AttentionFigure& figure() const { return mFigure; }
    core::Colormap colormap() const { return mFigure.colormap(); }
    double opacity() const { return mFigure.opacity(); }
    AttentionOverlays overlays() const { return mFigure.overlays(); }
    const AttentionDisplayOptions& display() const { return mFigure.display(); }
    double zoom() const { return mZoom; }
    /// Where the image is drawn now, in widget coordinates (for tests and hit testing).
    QRectF imageRect() const;
    /// Value of the map at (row, col); NaN outside.
    float valueAt(int row, int col) const;

    /// Checkable overlay toggles (object names "heatmap", "grid", "rulers", "selection", also
    /// the settings keys) and zoom actions, for the window's View menu. Owned by the view.
    QList<QAction*> overlayActions() const { return mOverlayActions; }
    QList<QAction*> zoomActions() const { return mZoomActions; }

    QSize sizeHint() const override { return {640, 560}; }
    QSize minimumSizeHint() const override { return {200, 200}; }

public slots:
    void setColormap(vitscope::core::Colormap colormap);
    void setOpacity(double opacity);
    void setHeatmapVisible(bool on);
    void setGridVisible(bool on);
    void setRulersVisible(bool on);
    void setSelectionVisible(bool on);
    /// Which image, blocky or smooth, heatmap, mass mask or alpha; kept across images and models.
    void setDisplay(const vitscope::ui::AttentionDisplayOptions& display);
    void zoomIn();
    void zoomOut();
    void fitToWindow();

signals:
    /// The patch under the cursor; row = col = -1 when the cursor leaves the image.
    void hovered(int row, int col, int token, float value);
    void patchClicked(int row, int col);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    QRectF plotArea() const;
    void zoomAt(double factor, const QPointF& anchor);
    void updateHover(const QPointF& pos);
    void syncPalette();
    void buildActions();
    /// Resets zoom and pan when the drawn image's size differs from `before`.
    void fitIfResized(const QSize& before);

    AttentionFigure mFigure;
    core::TokenLayout mTokens;
    JobRunner* mMapJobs = nullptr;
    double mZoom = 1.0;  // 1 = fit
    QPointF mPan;        // offset of the image centre from the plot centre, in pixels
    QPoint mPressPos;
    QPointF mPressPan;
    bool mDragging = false;
    bool mPressed = false;
    QPoint mHover{-1, -1};  // (col, row)
    QList<QAction*> mOverlayActions;
    QList<QAction*> mZoomActions;
};

}  // namespace vitscope::ui
