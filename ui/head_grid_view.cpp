#include "ui/head_grid_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "ui/job_runner.h"

namespace vitscope::ui {

HeadGridView::HeadGridView(const QString& name, double maxTile, TileMaps tileMaps, QWidget* parent)
    : QWidget(parent), mTileMaps(tileMaps), mMapJobs(new JobRunner(this)) {
    mFigure.setName(name);
    mFigure.setMaxTileSize(maxTile);
}

void HeadGridView::setResult(const QImage& shown,
                             std::shared_ptr<const core::InferenceResult> result) {
    mFigure.setImage(shown);
    mResult = std::move(result);
    requestMaps();
    updateGeometry();
    update();
}

void HeadGridView::setQuery(const AttentionQuery& query) {
    const bool same = sameTiles(query, mQuery);
    mQuery = query;
    if (!same) {
        requestMaps();
    }
    update();
}

void HeadGridView::requestMaps() {
    mDirty = true;
    mMaps.clear();
    mMapsReady = false;
    if (!mResult || mResult->attention.empty()) {
        mMapJobs->cancel();
        mMapsReady = true;
        return;
    }
    const qint64 values = qint64(tileCount()) * mResult->attention.tokens();
    if (values <= mSyncLimit) {  // a few rows of attention: cheaper than a thread hop
        mMapJobs->cancel();
        mMaps = mTileMaps(*mResult, mQuery);
        mMapsReady = true;
        return;
    }
    mMapJobs->start<std::vector<core::Matrix>>(
        tr("Attention maps"),
        [maps = mTileMaps, result = mResult, query = mQuery](const JobContext&) {
            return maps(*result, query);
        },
        [this](std::vector<core::Matrix> maps) {
            mMaps = std::move(maps);
            mMapsReady = true;
            mDirty = true;
            updateGeometry();
            update();
        });
}

void HeadGridView::setColormap(core::Colormap colormap) {
    mFigure.setColormap(colormap);
    update();
}

void HeadGridView::setOpacity(double opacity) {
    mFigure.setOpacity(opacity);
    update();
}

void HeadGridView::clear() {
    mMapJobs->cancel();
    mMaps.clear();
    mMapsReady = false;
    mResult.reset();
    mFigure.setTiles({}, 0, 0, {}, {});
    mDirty = false;
    update();
}

bool HeadGridView::sameTiles(const AttentionQuery& a, const AttentionQuery& b) const {
    return a.sourceToken == b.sourceToken && a.reverse == b.reverse;
}

void HeadGridView::rebuild() const {
    const int columns = columnsFor(width());
    if (!mDirty && columns == mBuiltColumns) {
        return;
    }
    mDirty = false;
    mBuiltColumns = columns;
    if (!mResult || mResult->attention.empty() || !mMapsReady) {
        mFigure.setTiles({}, 0, 0, {}, {});  // the job fills the grid in when it is done
        return;
    }
    buildTiles(mFigure, *mResult, mMaps, mQuery, columns);
}

const HeadGridFigure& HeadGridView::figure() const {
    rebuild();
    return mFigure;
}

QRectF HeadGridView::rectOf(int layer, int head) const {
    rebuild();
    const auto [row, col] = tileOf(layer, head, std::max(mFigure.cols(), 1));
    return mFigure.tileRect(QRectF(rect()), row, col);
}

int HeadGridView::heightForWidth(int width) const {
    if (!mResult) {
        return 120;
    }
    rebuild();
    const int cols = columnsFor(width);
    if (cols == mFigure.cols()) {
        return static_cast<int>(std::ceil(mFigure.heightForWidth(width)));
    }
    // Laid out in another column count at that width: measure an empty grid of that shape
    // rather than computing every map again.
    const int rows = (tileCount() + cols - 1) / cols;
    HeadGridFigure probe = mFigure;
    probe.setTiles(std::vector<core::Matrix>(static_cast<size_t>(rows) * cols), rows, cols, {}, {});
    probe.setCaption(QStringLiteral("x"));
    return static_cast<int>(std::ceil(probe.heightForWidth(width)));
}

void HeadGridView::paintEvent(QPaintEvent*) {
    rebuild();
    QPainter painter(this);
    FigurePalette palette;
    palette.background = this->palette().color(QPalette::Window);
    palette.text = this->palette().color(QPalette::WindowText);
    palette.faint = this->palette().color(QPalette::PlaceholderText);
    mFigure.setPalette(palette);
    const int columns = std::max(mFigure.cols(), 1);
    const bool single = mQuery.head >= 0 && !mQuery.rollout;  // one head is shown: outline it
    const auto [row, col] = single ? tileOf(mQuery.layer, mQuery.head, columns) : std::pair(-1, -1);
    mFigure.setHighlight(row, col);
    if (!mResult) {
        painter.fillRect(rect(), palette.background);
        painter.setPen(palette.faint);
        painter.drawText(rect(), Qt::AlignCenter, tr("No attention yet"));
        return;
    }
    mFigure.paint(painter, QRectF(rect()));
}

void HeadGridView::mouseReleaseEvent(QMouseEvent* event) {
    const QPoint tile = figure().tileAt(QRectF(rect()), event->position());  // (col, row)
    if (tile.x() >= 0 && mResult) {
        const auto [layer, head] = layerHeadAt(tile.y(), tile.x(), std::max(mFigure.cols(), 1));
        if (layer >= 0 && head >= 0) {
            emit tileClicked(layer, head);
        }
    }
    QWidget::mouseReleaseEvent(event);
}

void HeadGridView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (columnsFor(width()) != mBuiltColumns) {
        updateGeometry();
    }
}

}  // namespace vitscope::ui
