#include "ui/embedding_filters_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/bias_view_parts.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/figure_widget.h"
#include "ui/figures/embedding_filters_figure.h"
#include "ui/job_runner.h"
#include "ui/plural.h"

namespace vitscope::ui {

namespace {

constexpr int kFilterCount = 28;  // the paper's Figure 7 shows 28

struct FiltersJob {
    core::Result<EmbeddingFiltersData> data = core::makeError(core::ErrorCode::Cancelled, "");
};

}  // namespace

EmbeddingFiltersView::EmbeddingFiltersView(QWidget* parent)
    : QWidget(parent), mJobs(new JobRunner(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    mFilterMode = new QComboBox(this);
    mFilterMode->setObjectName(QStringLiteral("filterModeCombo"));
    mFilterMode->addItems({QString(), QString()});
    mFilterMode->setToolTip(
        tr("Principal components of the patch-embedding filters (the "
           "paper's Figure 7, left), or the filters themselves."));
    updateModeTexts();
    auto* exportButton = new QPushButton(tr("Export…"), this);
    controls->addWidget(mFilterMode);
    controls->addStretch(1);
    controls->addWidget(exportButton);
    layout->addLayout(controls);
    mFiltersWidget = new FigureWidget(this);
    mFiltersWidget->setPlaceholder(tr("Open a model to see its patch-embedding filters."));
    layout->addWidget(mFiltersWidget, 1);
    mFiltersWidget->setNumbersExporter([this](const QString& path) {
        FigureOptions o;
        o.rawFilters = mFilterMode->currentIndex() == 1;
        return exportNumbers(QStringLiteral("embedding-filters"),
                             detail::figureContext(mModel, nullptr), o, path);
    });
    connect(mFilterMode, &QComboBox::currentIndexChanged, this,
            &EmbeddingFiltersView::updateFiltersFigure);
    connect(exportButton, &QPushButton::clicked, mFiltersWidget,
            &FigureWidget::exportFigureInteractively);
}

EmbeddingFiltersView::~EmbeddingFiltersView() = default;  // the JobRunner cancels and waits

std::vector<const FigureWidget*> EmbeddingFiltersView::figureWidgets() const {
    return {mFiltersWidget};
}

void EmbeddingFiltersView::setModel(core::ModelPtr model) {
    mJobs->cancel();  // results for the old model are dropped
    mModel = std::move(model);
    updateModeTexts();
    updateFiltersFigure();
}

void EmbeddingFiltersView::updateModeTexts() {
    // As many as the figure will show: a component per input dimension at most, a filter per
    // embedding dimension at most.
    int components = kFilterCount;
    int filters = kFilterCount;
    if (mModel) {
        const core::VitConfig& c = mModel->config();
        components = std::min(kFilterCount, c.channels * c.patchSize * c.patchSize);
        filters = std::min(kFilterCount, c.embedDim);
    }
    mFilterMode->setItemText(
        0, tr("First %1")
               .arg(countText(components, tr("principal component"), tr("principal components"))));
    mFilterMode->setItemText(1, tr("Raw filters (first %1)").arg(filters));
}

void EmbeddingFiltersView::updateFiltersFigure() {
    if (!mModel) {
        mFiltersWidget->setFigure(nullptr);
        return;
    }
    core::ModelPtr model = mModel;
    const bool raw = mFilterMode->currentIndex() == 1;
    mJobs->start<std::shared_ptr<FiltersJob>>(
        tr("Embedding filters"),
        [model, raw](const JobContext&) {
            auto job = std::make_shared<FiltersJob>();
            job->data = embeddingFiltersData(*model, raw, kFilterCount, defaultModelName(*model));
            return job;
        },
        [this](std::shared_ptr<FiltersJob> job) {
            if (!job->data) {
                mFiltersWidget->setFigure(nullptr);
                mFiltersWidget->setPlaceholder(QString::fromStdString(job->data.error().message));
                return;
            }
            mFiltersWidget->setFigure(
                std::make_shared<EmbeddingFiltersFigure>(std::move(job->data.value())));
        });
}

}  // namespace vitscope::ui
