#pragma once
/// EmbeddingFiltersView: the "Embedding filters" tab of InductiveBiasPanel (ViT paper Figure 7
/// left): the first principal components of the patch-embedding filters, or the raw filters.
/// Computed off the GUI thread by the view's own JobRunner; a model whose filters cannot be shown
/// leaves the reason as the placeholder.

#include <QWidget>
#include <vector>

#include "core/model/vit_model.h"
#include "ui/export/figure_context.h"

class QComboBox;

namespace vitscope::ui {

class FigureWidget;
class JobRunner;

class EmbeddingFiltersView : public QWidget {
    Q_OBJECT
public:
    explicit EmbeddingFiltersView(QWidget* parent = nullptr);
    /// The JobRunner cancels and waits.
    ~EmbeddingFiltersView() override;

    /// A new model (may be null): recomputes the filters.
    void setModel(core::ModelPtr model);
    /// The figure, for InductiveBiasPanel::exportFigures.
    std::vector<const FigureWidget*> figureWidgets() const;

private:
    void updateFiltersFigure();
    /// The mode combo's texts name as many components and filters as the figure shows.
    void updateModeTexts();

    core::ModelPtr mModel;
    JobRunner* mJobs = nullptr;
    FigureWidget* mFiltersWidget = nullptr;
    QComboBox* mFilterMode = nullptr;
};

}  // namespace vitscope::ui
