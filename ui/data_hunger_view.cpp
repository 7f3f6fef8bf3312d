#include "ui/data_hunger_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <memory>

#include "ui/export/figure_builders.h"
#include "ui/export/figure_factory.h"
#include "ui/figure_widget.h"
#include "ui/figures/data_hunger_figure.h"
#include "ui/figures/position_ablation_figure.h"
#include "ui/job_runner.h"

namespace vitscope::ui {

namespace {

struct LabJob {
    core::Result<std::shared_ptr<const core::LabResults>> lab =
        core::makeError(core::ErrorCode::Cancelled, "");
};

}  // namespace

DataHungerView::DataHungerView(QWidget* parent) : QWidget(parent), mJobs(new JobRunner(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    mChoice = new QComboBox(this);
    mChoice->addItems({tr("Data hunger: the ViT against a CNN"),
                       tr("Position embeddings: this lab and the paper's Table 8")});
    auto* exportButton = new QPushButton(tr("Export…"), this);
    controls->addWidget(mChoice);
    controls->addStretch(1);
    controls->addWidget(exportButton);
    layout->addLayout(controls);
    mStack = new QStackedWidget(this);
    mHunger = new FigureWidget(mStack);
    mAblation = new FigureWidget(mStack);
    for (FigureWidget* widget : {mHunger, mAblation}) {
        widget->setPlaceholder(tr("Reading the lab results…"));
        mStack->addWidget(widget);
    }
    layout->addWidget(mStack, 1);
    connect(mChoice, &QComboBox::currentIndexChanged, mStack, &QStackedWidget::setCurrentIndex);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        static_cast<FigureWidget*>(mStack->currentWidget())->exportFigureInteractively();
    });
    loadResults({});
}

DataHungerView::~DataHungerView() = default;  // the JobRunner cancels and waits

std::vector<const FigureWidget*> DataHungerView::figureWidgets() const {
    return {mHunger, mAblation};
}

void DataHungerView::showFigure(int index) { mChoice->setCurrentIndex(index); }

void DataHungerView::loadResults(const std::string& path) {
    mJobs->start<std::shared_ptr<LabJob>>(
        tr("Lab results"),
        [path](const JobContext&) {
            auto job = std::make_shared<LabJob>();
            FigureOptions options;
            options.labResults = path;
            job->lab = labResultsFor(options);
            return job;
        },
        [this](std::shared_ptr<LabJob> job) {
            if (!job->lab) {
                const QString message = QString::fromStdString(job->lab.error().message);
                for (FigureWidget* widget : {mHunger, mAblation}) {
                    widget->setFigure(nullptr);
                    widget->setPlaceholder(message);
                    widget->setNumbersExporter(nullptr);
                }
                return;
            }
            std::shared_ptr<const core::LabResults> lab = job->lab.value();
            mHunger->setFigure(std::make_shared<DataHungerFigure>(*lab));
            mAblation->setFigure(std::make_shared<PositionAblationFigure>(*lab));
            mHunger->setNumbersExporter([lab](const QString& file) {
                FigureOptions options;
                options.lab = lab;
                return exportNumbers(QStringLiteral("data-hunger"), FigureContext{}, options, file);
            });
        });
}

}  // namespace vitscope::ui
