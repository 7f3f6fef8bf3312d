#include "ui/position_embedding_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include "ui/bias_view_parts.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/figure_widget.h"
#include "ui/figures/posembed_similarity_figure.h"
#include "ui/image_convert.h"
#include "ui/job_runner.h"

namespace vitscope::ui {

PositionEmbeddingView::PositionEmbeddingView(QWidget* parent)
    : QWidget(parent), mJobs(new JobRunner(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    mGridCombo = new QComboBox(this);
    mGridCombo->addItems({tr("Trained grid"), tr("Current input grid")});
    mInterpCombo = detail::interpCombo(this);
    controls->addWidget(new QLabel(tr("Grid:"), this));
    controls->addWidget(mGridCombo);
    controls->addWidget(new QLabel(tr("Interpolation:"), this));
    controls->addWidget(mInterpCombo);
    controls->addStretch(1);
    auto* exportButton = new QPushButton(tr("Export…"), this);
    controls->addWidget(exportButton);
    layout->addLayout(controls);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    mSimilarityWidget = new FigureWidget(splitter);
    mSimilarityWidget->setPlaceholder(tr("Open a model to see its position-embedding similarity."));
    mTileWidget = new FigureWidget(splitter);
    mTileWidget->setPlaceholder(tr("Click a tile to enlarge it over the image."));
    splitter->addWidget(mSimilarityWidget);
    splitter->addWidget(mTileWidget);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    mSimilarityWidget->setNumbersExporter([this](const QString& path) {
        return exportNumbers(QStringLiteral("posembed-similarity"),
                             detail::figureContext(mModel, mRun), options(), path);
    });
    connect(mGridCombo, &QComboBox::currentIndexChanged, this,
            &PositionEmbeddingView::updatePositionFigure);
    connect(mInterpCombo, &QComboBox::currentIndexChanged, this,
            &PositionEmbeddingView::updatePositionFigure);
    connect(mSimilarityWidget, &FigureWidget::clicked, this,
            &PositionEmbeddingView::onSimilarityClicked);
    connect(exportButton, &QPushButton::clicked, mSimilarityWidget,
            &FigureWidget::exportFigureInteractively);
}

PositionEmbeddingView::~PositionEmbeddingView() = default;  // the JobRunner cancels and waits

std::vector<const FigureWidget*> PositionEmbeddingView::figureWidgets() const {
    return {mSimilarityWidget, mTileWidget};
}

FigureOptions PositionEmbeddingView::options() const {
    FigureOptions o;
    o.interp = detail::interpAt(mInterpCombo->currentIndex());
    if (mGridCombo->currentIndex() == 0 && mModel) {
        o.gridH = mModel->config().gridH();
        o.gridW = mModel->config().gridW();
    }
    return o;
}

void PositionEmbeddingView::setModel(core::ModelPtr model) {
    mJobs->cancel();  // results for the old model are dropped
    mModel = std::move(model);
    mRun.reset();
    mSimilarity.reset();
    mTileRow = mTileCol = -1;
    mTileWidget->setFigure(nullptr);
    updatePositionFigure();
}

void PositionEmbeddingView::setRun(core::RunPtr run) {
    mRun = std::move(run);
    if (mGridCombo->currentIndex() == 1) {
        updatePositionFigure();
    } else {
        updateTileFigure();
    }
}

void PositionEmbeddingView::updatePositionFigure() {
    if (!mModel) {
        mSimilarityWidget->setFigure(nullptr);
        return;
    }
    const FigureOptions o = options();
    int gh = o.gridH;
    int gw = o.gridW;
    if (gh == 0 && result()) {
        gh = result()->tokens.gridH;
        gw = result()->tokens.gridW;
    }
    core::ModelPtr model = mModel;
    const QString name = defaultModelName(*model);
    mJobs->start<std::shared_ptr<const PosEmbedSimilarityData>>(
        tr("Position-embedding similarity"),
        [model, gh, gw, interp = o.interp, name](const JobContext&) {
            return std::make_shared<const PosEmbedSimilarityData>(
                posEmbedSimilarityData(*model, gh, gw, interp, name));
        },
        [this](std::shared_ptr<const PosEmbedSimilarityData> value) {
            mSimilarity = std::move(value);
            if (mTileRow >= mSimilarity->gridH || mTileCol >= mSimilarity->gridW) {
                mTileRow = mTileCol = -1;
            }
            updateTileFigure();
        });
}

void PositionEmbeddingView::updateTileFigure() {
    if (!mSimilarity) {
        return;
    }
    auto figure = std::make_shared<PosEmbedSimilarityFigure>(*mSimilarity);
    figure->setSelectedTile(mTileRow, mTileCol);
    mSimilarityWidget->setFigure(figure);
    if (mTileRow < 0 || !mSimilarity->unavailable.isEmpty()) {
        mTileWidget->setFigure(nullptr);
        return;
    }
    QImage shown;
    const bool sameGrid = result() && result()->tokens.gridH == mSimilarity->gridH &&
                          result()->tokens.gridW == mSimilarity->gridW;
    if (sameGrid && mRun->input) {
        shown = toQImage(mRun->input->shown);
    }
    mTileWidget->setFigure(
        std::make_shared<PosEmbedTileFigure>(*mSimilarity, mTileRow, mTileCol, shown));
}

void PositionEmbeddingView::onSimilarityClicked(QPointF pos, QRectF target) {
    const auto* figure =
        dynamic_cast<const PosEmbedSimilarityFigure*>(mSimilarityWidget->figure().get());
    if (figure == nullptr) {
        return;
    }
    const auto [row, col] = figure->tileAt(target, pos);
    if (row < 0) {
        return;
    }
    mTileRow = row;
    mTileCol = col;
    updateTileFigure();
}

}  // namespace vitscope::ui
