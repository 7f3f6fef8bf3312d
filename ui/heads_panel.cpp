#include "ui/heads_panel.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace vitscope::ui {

namespace {
constexpr int kMinTile = 72;
}  // namespace

HeadsPanel::HeadsPanel(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    mFigure.setName(QStringLiteral("heads"));
    mFigure.setMaxTileSize(160);
}

void HeadsPanel::setResult(const QImage& shown, std::shared_ptr<const core::InferenceResult> r) {
    mFigure.setImage(shown);
    mResult = std::move(r);
    mDirty = true;
    updateGeometry();
    update();
}

void HeadsPanel::setQuery(const AttentionQuery& query) {
    const bool same = query.layer == mQuery.layer && query.sourceToken == mQuery.sourceToken &&
                      query.reverse == mQuery.reverse;
    mQuery = query;
    mDirty = mDirty || !same;
    update();
}

void HeadsPanel::setColormap(core::Colormap colormap) {
    mFigure.setColormap(colormap);
    update();
}

void HeadsPanel::setOpacity(double opacity) {
    mFigure.setOpacity(opacity);
    update();
}

void HeadsPanel::clear() {
    mResult.reset();
    mFigure.setTiles({}, 0, 0, {}, {});
    mDirty = false;
    update();
}

int HeadsPanel::columnsFor(int width) const {
    const int heads = mResult ? mResult->attention.heads() : 0;
    if (heads <= 0) {
        return 1;
    }
    return std::clamp(width / kMinTile, 1, heads);
}

void HeadsPanel::rebuild() const {
    const int columns = columnsFor(width());
    if (!mDirty && columns == mBuiltColumns) {
        return;
    }
    mDirty = false;
    mBuiltColumns = columns;
    if (!mResult || mResult->attention.empty()) {
        mFigure.setTiles({}, 0, 0, {}, {});
        return;
    }
    const int heads = mResult->attention.heads();
    std::vector<core::Matrix> maps;
    QStringList labels;
    for (int h = 0; h < heads; ++h) {
        AttentionQuery q = mQuery;
        q.head = h;
        q.rollout = false;
        maps.push_back(attentionMap(*mResult, q));
        labels << tr("H%1").arg(h + 1);
    }
    const int rows = (heads + columns - 1) / columns;
    maps.resize(static_cast<size_t>(rows) * columns);  // empty tiles at the end
    mFigure.setTiles(std::move(maps), rows, columns, {}, {});
    mFigure.setTileLabels(labels);
    mFigure.setCaption(
        tr("Layer %1, every head · %2")
            .arg(mQuery.layer + 1)
            .arg(mQuery.reverse ? tr("attention to the source") : tr("attention from the source")));
}

const HeadGridFigure& HeadsPanel::figure() const {
    rebuild();
    return mFigure;
}

QRectF HeadsPanel::headRect(int head) const {
    rebuild();
    const int cols = std::max(mFigure.cols(), 1);
    return mFigure.tileRect(QRectF(rect()), head / cols, head % cols);
}

int HeadsPanel::heightForWidth(int width) const {
    if (!mResult) {
        return 120;
    }
    const int heads = mResult->attention.heads();
    const int cols = columnsFor(width);
    HeadGridFigure probe = mFigure;
    probe.setTiles(std::vector<core::Matrix>(static_cast<size_t>((heads + cols - 1) / cols) * cols),
                   (heads + cols - 1) / cols, cols, {}, {});
    probe.setCaption(QStringLiteral("x"));
    return static_cast<int>(std::ceil(probe.heightForWidth(width)));
}

void HeadsPanel::paintEvent(QPaintEvent*) {
    rebuild();
    QPainter painter(this);
    FigurePalette palette;
    palette.background = this->palette().color(QPalette::Window);
    palette.text = this->palette().color(QPalette::WindowText);
    palette.faint = this->palette().color(QPalette::PlaceholderText);
    mFigure.setPalette(palette);
    const int cols = std::max(mFigure.cols(), 1);
    mFigure.setHighlight(mQuery.head >= 0 && !mQuery.rollout ? mQuery.head / cols : -1,
                         mQuery.head >= 0 && !mQuery.rollout ? mQuery.head % cols : -1);
    if (!mResult) {
        painter.fillRect(rect(), palette.background);
        painter.setPen(palette.faint);
        painter.drawText(rect(), Qt::AlignCenter, tr("No attention yet"));
        return;
    }
    mFigure.paint(painter, QRectF(rect()));
}

void HeadsPanel::mouseReleaseEvent(QMouseEvent* event) {
    const QPoint tile = figure().tileAt(QRectF(rect()), event->position());
    const int head = tile.y() * std::max(mFigure.cols(), 1) + tile.x();
    if (tile.x() >= 0 && mResult && head < mResult->attention.heads()) {
        emit headClicked(mQuery.layer, head);
    }
    QWidget::mouseReleaseEvent(event);
}

void HeadsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (columnsFor(width()) != mBuiltColumns) {
        updateGeometry();
    }
}

}  // namespace vitscope::ui
