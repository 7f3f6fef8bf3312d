#include "ui/layers_heads_overview.h"

#include <QMouseEvent>
#include <QPainter>
#include <cmath>

namespace vitscope::ui {

LayersHeadsOverview::LayersHeadsOverview(QWidget* parent) : QWidget(parent) {
    mFigure.setName(QStringLiteral("layers-heads"));
    mFigure.setMaxTileSize(120);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void LayersHeadsOverview::setResult(const QImage& shown,
                                    std::shared_ptr<const core::InferenceResult> result) {
    mFigure.setImage(shown);
    mResult = std::move(result);
    mDirty = true;
    updateGeometry();
    update();
}

void LayersHeadsOverview::setQuery(const AttentionQuery& query) {
    const bool same = query.sourceToken == mQuery.sourceToken && query.reverse == mQuery.reverse;
    mQuery = query;
    mDirty = mDirty || !same;
    update();
}

void LayersHeadsOverview::setColormap(core::Colormap colormap) {
    mFigure.setColormap(colormap);
    update();
}

void LayersHeadsOverview::setOpacity(double opacity) {
    mFigure.setOpacity(opacity);
    update();
}

void LayersHeadsOverview::clear() {
    mResult.reset();
    mFigure.setTiles({}, 0, 0, {}, {});
    mDirty = false;
    update();
}

void LayersHeadsOverview::rebuild() const {
    if (!mDirty) {
        return;
    }
    mDirty = false;
    if (!mResult || mResult->attention.empty()) {
        mFigure.setTiles({}, 0, 0, {}, {});
        return;
    }
    const int layers = mResult->attention.layers();
    const int heads = mResult->attention.heads();
    std::vector<core::Matrix> maps;
    maps.reserve(static_cast<size_t>(layers) * heads);
    QStringList rowLabels;
    QStringList colLabels;
    for (int l = 0; l < layers; ++l) {
        rowLabels << tr("L%1").arg(l + 1);
        for (int h = 0; h < heads; ++h) {
            AttentionQuery q = mQuery;
            q.layer = l;
            q.head = h;
            q.rollout = false;
            maps.push_back(attentionMap(*mResult, q));
        }
    }
    for (int h = 0; h < heads; ++h) {
        colLabels << tr("H%1").arg(h + 1);
    }
    mFigure.setTiles(std::move(maps), layers, heads, rowLabels, colLabels);
    mFigure.setCaption(
        tr("Every layer (rows) and head (columns) · %1 · each tile scaled to its "
           "own range")
            .arg(mQuery.reverse ? tr("attention to the source") : tr("attention from the source")));
}

const HeadGridFigure& LayersHeadsOverview::figure() const {
    rebuild();
    return mFigure;
}

QRectF LayersHeadsOverview::tileRect(int layer, int head) const {
    rebuild();
    return mFigure.tileRect(QRectF(rect()), layer, head);
}

int LayersHeadsOverview::heightForWidth(int width) const {
    rebuild();
    return mResult ? static_cast<int>(std::ceil(mFigure.heightForWidth(width))) : 120;
}

void LayersHeadsOverview::paintEvent(QPaintEvent*) {
    rebuild();
    QPainter painter(this);
    FigurePalette palette;
    palette.background = this->palette().color(QPalette::Window);
    palette.text = this->palette().color(QPalette::WindowText);
    palette.faint = this->palette().color(QPalette::PlaceholderText);
    mFigure.setPalette(palette);
    const bool single = mQuery.head >= 0 && !mQuery.rollout;
    mFigure.setHighlight(single ? mQuery.layer : -1, single ? mQuery.head : -1);
    if (!mResult) {
        painter.fillRect(rect(), palette.background);
        painter.setPen(palette.faint);
        painter.drawText(rect(), Qt::AlignCenter, tr("No attention yet"));
        return;
    }
    mFigure.paint(painter, QRectF(rect()));
}

void LayersHeadsOverview::mouseReleaseEvent(QMouseEvent* event) {
    const QPoint tile = figure().tileAt(QRectF(rect()), event->position());
    if (tile.x() >= 0) {
        emit layerHeadClicked(tile.y(), tile.x());
    }
    QWidget::mouseReleaseEvent(event);
}

}  // namespace vitscope::ui
