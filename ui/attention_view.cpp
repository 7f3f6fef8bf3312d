#include "ui/attention_view.h"

#include <QAction>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/job_runner.h"

namespace vitscope::ui {

namespace {
constexpr double kMinZoom = 0.25;
constexpr double kMaxZoom = 32.0;
constexpr double kZoomStep = 1.25;
constexpr int kDragThreshold = 4;
constexpr double kCaptionHeight = 40.0;
}  // namespace

AttentionView::AttentionView(QWidget* parent) : QWidget(parent), mMapJobs(new JobRunner(this)) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAttribute(Qt::WA_OpaquePaintEvent);
    syncPalette();
    buildActions();
}

void AttentionView::buildActions() {
    auto overlay = [this](const QString& text, const char* name, QKeySequence key,
                          void (AttentionView::*slot)(bool)) {
        auto* a = new QAction(text, this);
        a->setObjectName(QLatin1String(name));
        a->setCheckable(true);
        a->setChecked(true);
        a->setShortcut(key);
        connect(a, &QAction::toggled, this, slot);
        mOverlayActions.append(a);
    };
    overlay(tr("&Heatmap"), "heatmap", QKeySequence(tr("H")), &AttentionView::setHeatmapVisible);
    overlay(tr("Patch &Grid"), "grid", QKeySequence(tr("G")), &AttentionView::setGridVisible);
    overlay(tr("Row/Column R&ulers"), "rulers", {}, &AttentionView::setRulersVisible);
    overlay(tr("&Selected Patch"), "selection", {}, &AttentionView::setSelectionVisible);
    auto zoom = [this](const QString& text, QKeySequence key, void (AttentionView::*slot)()) {
        auto* a = new QAction(text, this);
        a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        mZoomActions.append(a);
    };
    zoom(tr("Zoom &In"), QKeySequence::ZoomIn, &AttentionView::zoomIn);
    zoom(tr("Zoom &Out"), QKeySequence::ZoomOut, &AttentionView::zoomOut);
    zoom(tr("&Fit to Window"), QKeySequence(tr("Ctrl+0")), &AttentionView::fitToWindow);
}

void AttentionView::setImage(const QImage& shown, const core::TokenLayout& tokens) {
    const QSize before = mFigure.baseImage().size();
    mFigure.setImage(shown);
    mFigure.setOriginal({}, {});  // until setOriginal: the previous run's does not fit this one
    mFigure.setGrid(tokens.gridH, tokens.gridW);
    mTokens = tokens;
    fitIfResized(before);
    update();
}

void AttentionView::setOriginal(const core::Run& run) {
    const QSize before = mFigure.baseImage().size();
    mFigure.setOriginalFromRun(run);
    fitIfResized(before);
    update();
}

void AttentionView::setDisplay(const AttentionDisplayOptions& display) {
    const QSize before = mFigure.baseImage().size();
    mFigure.setDisplay(display);
    fitIfResized(before);
    update();
}

void AttentionView::fitIfResized(const QSize& before) {
    if (mFigure.baseImage().size() != before) {
        mZoom = 1.0;
        mPan = {};
    }
}

void AttentionView::showQuery(std::shared_ptr<const core::InferenceResult> result,
                              const AttentionQuery& query) {
    if (!result) {
        return;
    }
    const QString caption =
        describeQuery(query, result->tokens, result->attention.layers(), result->attention.heads());
    if (!query.rollout) {    // one row or column of one (fused) layer: cheap
        mMapJobs->cancel();  // a rollout still running must not overwrite this map
        setMap(attentionMap(*result, query), query.sourceToken, caption);
        return;
    }
    // A long rollout (thousands of tokens) takes seconds: say what is coming meanwhile.
    QString pending = caption;
    pending[0] = pending[0].toLower();  // "Attention rollout, layers 1-12/12 · …"
    mFigure.setCaption(tr("Computing %1… (the map shown is still the previous one)").arg(pending));
    update();
    mMapJobs->start<core::Matrix>(
        tr("Attention rollout"),
        [result, query](const JobContext&) { return attentionMap(*result, query); },
        [this, query, caption](core::Matrix map) { setMap(map, query.sourceToken, caption); });
}

void AttentionView::setMap(const core::Matrix& map, int sourceToken, const QString& caption) {
    mFigure.setMap(map);
    if (mTokens.isPatch(sourceToken) && mTokens.gridW > 0) {
        const int p = sourceToken - mTokens.numPrefix;
        mFigure.setSelectedPatch(p / mTokens.gridW, p % mTokens.gridW);
    } else {
        mFigure.setSelectedPatch(-1, -1);
    }
    mFigure.setCaption(caption);
    update();
    if (mHover.x() >= 0) {
        emit hovered(mHover.y(), mHover.x(), mTokens.patchToken(mHover.y(), mHover.x()),
                     valueAt(mHover.y(), mHover.x()));
    }
}

void AttentionView::clear() {
    mMapJobs->cancel();
    // What the person chose stays: only the image, the map and the caption go.
    AttentionFigure empty;
    empty.setColormap(mFigure.colormap());
    empty.setOpacity(mFigure.opacity());
    empty.setOverlays(mFigure.overlays());
    empty.setDisplay(mFigure.display());
    mFigure = empty;
    syncPalette();
    mTokens = {};
    update();
}

float AttentionView::valueAt(int row, int col) const {
    const auto& map = mFigure.map();
    if (row < 0 || col < 0 || row >= map.rows() || col >= map.cols()) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    return map(row, col);
}

void AttentionView::setColormap(core::Colormap colormap) {
    mFigure.setColormap(colormap);
    update();
}

void AttentionView::setOpacity(double opacity) {
    mFigure.setOpacity(std::clamp(opacity, 0.0, 1.0));
    update();
}

void AttentionView::setHeatmapVisible(bool on) {
    auto o = mFigure.overlays();
    o.heatmap = on;
    mFigure.setOverlays(o);
    update();
}

void AttentionView::setGridVisible(bool on) {
    auto o = mFigure.overlays();
    o.grid = on;
    mFigure.setOverlays(o);
    update();
}

void AttentionView::setRulersVisible(bool on) {
    auto o = mFigure.overlays();
    o.rulers = on;
    mFigure.setOverlays(o);
    update();
}

void AttentionView::setSelectionVisible(bool on) {
    auto o = mFigure.overlays();
    o.selection = on;
    mFigure.setOverlays(o);
    update();
}

void AttentionView::zoomIn() { zoomAt(kZoomStep, plotArea().center()); }
void AttentionView::zoomOut() { zoomAt(1.0 / kZoomStep, plotArea().center()); }

void AttentionView::fitToWindow() {
    mZoom = 1.0;
    mPan = {};
    update();
}

QRectF AttentionView::plotArea() const {
    const double ruler = mFigure.overlays().rulers ? AttentionFigure::kRulerSize : 4.0;
    const double bar = AttentionFigure::kColorBarWidth;
    const QRectF all = QRectF(rect()).adjusted(6, 6, -6, -6);
    return QRectF(all.left() + ruler, all.top() + ruler, all.width() - ruler - bar,
                  all.height() - ruler - kCaptionHeight);
}

QRectF AttentionView::imageRect() const {
    const QRectF area = plotArea();
    const QRectF fitted = mFigure.fitImage(area);
    const QSizeF size = fitted.size() * mZoom;
    const QPointF centre = area.center() + mPan;
    return {centre.x() - size.width() / 2, centre.y() - size.height() / 2, size.width(),
            size.height()};
}

void AttentionView::zoomAt(double factor, const QPointF& anchor) {
    const double next = std::clamp(mZoom * factor, kMinZoom, kMaxZoom);
    factor = next / mZoom;
    // Keep the image point under the anchor fixed.
    const QPointF centre = plotArea().center() + mPan;
    mPan += (centre - anchor) * (factor - 1.0);
    mZoom = next;
    update();
}

void AttentionView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (mFigure.image().isNull() && mFigure.map().size() == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter,
                         tr("Open an image (Ctrl+O), drop one here or paste it (Ctrl+V)"));
        return;
    }
    const QRectF area = plotArea();
    const QRectF image = imageRect();
    const double ruler = AttentionFigure::kRulerSize;
    painter.save();
    painter.setClipRect(area);
    mFigure.paintPlot(painter, image);
    if (mHover.x() >= 0) {
        QPen pen(palette().color(QPalette::Highlight), 2.0);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(mFigure.patchRect(image, mHover.y(), mHover.x()));
    }
    painter.restore();
    // Rulers, colour bar and caption hug the visible part of the image (not the edges of the
    // view), so that they stay next to it at any window size, zoom and pan.
    const QRectF shown = image.intersected(area).isEmpty() ? area : image.intersected(area);
    mFigure.paintRulers(painter, image,
                        QRectF(shown.left(), shown.top() - ruler, shown.width(), ruler),
                        QRectF(shown.left() - ruler, shown.top(), ruler, shown.height()));
    mFigure.paintColorBar(
        painter, QRectF(shown.right() + 6, shown.top(), AttentionFigure::kColorBarWidth - 6,
                        std::max(shown.height(), 40.0)));
    mFigure.paintCaption(painter, QRectF(6, shown.bottom() + 6, width() - 12, kCaptionHeight - 6));
}

void AttentionView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    update();
}

void AttentionView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0) {
        zoomAt(std::pow(kZoomStep, steps), event->position());
    }
    event->accept();
}

void AttentionView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        mPressed = true;
        mDragging = event->button() == Qt::MiddleButton;
        mPressPos = event->position().toPoint();
        mPressPan = mPan;
    }
    QWidget::mousePressEvent(event);
}

void AttentionView::mouseMoveEvent(QMouseEvent* event) {
    if (mPressed) {
        const QPoint delta = event->position().toPoint() - mPressPos;
        if (!mDragging && delta.manhattanLength() > kDragThreshold) {
            mDragging = true;
        }
        if (mDragging) {
            setCursor(Qt::ClosedHandCursor);
            mPan = mPressPan + QPointF(delta);
            update();
        }
    }
    updateHover(event->position());
}

void AttentionView::mouseReleaseEvent(QMouseEvent* event) {
    if (mPressed && !mDragging && event->button() == Qt::LeftButton) {
        const QPoint cell = mFigure.patchAt(imageRect(), event->position());
        if (cell.x() >= 0) {
            emit patchClicked(cell.y(), cell.x());
        }
    }
    mPressed = false;
    mDragging = false;
    unsetCursor();
    QWidget::mouseReleaseEvent(event);
}

void AttentionView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() == Qt::MiddleButton) {
        fitToWindow();
    }
    QWidget::mouseDoubleClickEvent(event);
}

void AttentionView::leaveEvent(QEvent* event) {
    if (mHover.x() >= 0) {
        mHover = {-1, -1};
        emit hovered(-1, -1, -1, std::numeric_limits<float>::quiet_NaN());
        update();
    }
    QWidget::leaveEvent(event);
}

void AttentionView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        syncPalette();
    }
    QWidget::changeEvent(event);
}

void AttentionView::syncPalette() {
    FigurePalette p;
    p.background = palette().color(QPalette::Window);
    p.text = palette().color(QPalette::WindowText);
    p.faint = palette().color(QPalette::PlaceholderText);
    mFigure.setPalette(p);
}

void AttentionView::updateHover(const QPointF& pos) {
    const QPoint cell =
        plotArea().contains(pos) ? mFigure.patchAt(imageRect(), pos) : QPoint(-1, -1);
    if (cell == mHover) {
        return;
    }
    mHover = cell;
    update();
    if (cell.x() < 0) {
        emit hovered(-1, -1, -1, std::numeric_limits<float>::quiet_NaN());
        return;
    }
    emit hovered(cell.y(), cell.x(), mTokens.patchToken(cell.y(), cell.x()),
                 valueAt(cell.y(), cell.x()));
}

}  // namespace vitscope::ui
