#pragma once
/// PositionEmbeddingView: the "Position embeddings" tab of InductiveBiasPanel (ViT paper Figure 7
/// centre). The cosine-similarity mosaic of the model's position embeddings, on the trained grid
/// or the current input's grid with a chosen interpolation; clicking a tile enlarges it, over the
/// input image when the grids match. The mosaic is computed off the GUI thread by the view's own
/// JobRunner (a new request restarts it).

#include <QRectF>
#include <QWidget>
#include <memory>
#include <vector>

#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "ui/export/figure_context.h"

class QComboBox;

namespace vitscope::ui {

class FigureWidget;
class JobRunner;
struct PosEmbedSimilarityData;

class PositionEmbeddingView : public QWidget {
    Q_OBJECT
public:
    explicit PositionEmbeddingView(QWidget* parent = nullptr);
    /// The JobRunner cancels and waits.
    ~PositionEmbeddingView() override;

    /// A new model (may be null): drops the old mosaic and selection and recomputes.
    void setModel(core::ModelPtr model);
    /// A new run of the current model (may be null): the input grid and the image under the tile.
    void setRun(core::RunPtr run);
    /// The mosaic and the enlarged tile, for InductiveBiasPanel::exportFigures.
    std::vector<const FigureWidget*> figureWidgets() const;

private:
    void updatePositionFigure();
    void updateTileFigure();
    void onSimilarityClicked(QPointF pos, QRectF target);
    FigureOptions options() const;
    const core::InferenceResult* result() const { return mRun ? mRun->result.get() : nullptr; }

    core::ModelPtr mModel;
    core::RunPtr mRun;
    JobRunner* mJobs = nullptr;
    // The mosaic's data, kept for tile clicks.
    std::shared_ptr<const PosEmbedSimilarityData> mSimilarity;
    int mTileRow = -1;
    int mTileCol = -1;

    FigureWidget* mSimilarityWidget = nullptr;
    FigureWidget* mTileWidget = nullptr;
    QComboBox* mGridCombo = nullptr;
    QComboBox* mInterpCombo = nullptr;
};

}  // namespace vitscope::ui
