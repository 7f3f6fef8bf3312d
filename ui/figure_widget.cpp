#include "ui/figure_widget.h"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QStandardPaths>

#include "ui/export/figure_export.h"

namespace vitscope::ui {

FigureWidget::FigureWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setContextMenuPolicy(Qt::DefaultContextMenu);
}

void FigureWidget::setFigure(std::shared_ptr<const Figure> figure) {
    mFigure = std::move(figure);
    updateGeometry();
    update();
}

void FigureWidget::setPlaceholder(const QString& text) {
    mPlaceholder = text;
    update();
}

void FigureWidget::setNumbersExporter(std::function<core::Status(const QString&)> exporter) {
    mNumbersExporter = std::move(exporter);
}

QRectF FigureWidget::figureRect() const {
    if (!mFigure) {
        return {};
    }
    QSizeF size = mFigure->preferredSize();
    const QRectF area = QRectF(rect()).adjusted(4, 4, -4, -4);
    if (size.isEmpty() || area.isEmpty()) {
        return {};
    }
    size.scale(area.size(), Qt::KeepAspectRatio);
    return QRectF(area.center().x() - size.width() / 2, area.center().y() - size.height() / 2,
                  size.width(), size.height());
}

QSize FigureWidget::sizeHint() const {
    if (!mFigure) {
        return QSize(480, 360);
    }
    return mFigure->preferredSize().toSize().boundedTo(QSize(1000, 900));
}

QSize FigureWidget::minimumSizeHint() const { return QSize(200, 150); }

void FigureWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::white);
    if (!mFigure) {
        // Figures stay white in every palette: a dark palette's placeholder colour is too light.
        painter.setPen(QColor(110, 110, 110));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, mPlaceholder);
        return;
    }
    mFigure->paint(painter, figureRect());
}

void FigureWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && mFigure) {
        emit clicked(event->position(), figureRect());
    }
    QWidget::mousePressEvent(event);
}

void FigureWidget::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* fig =
        menu.addAction(tr("Export figure…"), this, &FigureWidget::exportFigureInteractively);
    fig->setEnabled(mFigure != nullptr);
    if (mNumbersExporter) {
        menu.addAction(tr("Export numbers…"), this, &FigureWidget::exportNumbersInteractively);
    }
    menu.exec(event->globalPos());
}

void FigureWidget::exportFigureInteractively() {
    if (!mFigure) {
        return;
    }
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export figure"),
        dir + QLatin1Char('/') + mFigure->name() + QStringLiteral(".png"),
        tr("PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty()) {
        return;
    }
    double scale = 2.0;
    if (figureFormat(path) == QLatin1String("png")) {
        bool ok = false;
        scale = QInputDialog::getDouble(this, tr("PNG scale"),
                                        tr("Pixels per figure unit (1 = 96 dpi, 2 = 192 dpi):"),
                                        2.0, 0.25, 16.0, 2, &ok);
        if (!ok) {
            return;
        }
    }
    const core::Status status = exportFigure(*mFigure, path, scale);
    if (!status) {
        QMessageBox::warning(this, tr("Cannot export figure"),
                             QString::fromStdString(status.error().message));
    }
}

void FigureWidget::exportNumbersInteractively() {
    if (!mNumbersExporter) {
        return;
    }
    const QString name = mFigure ? mFigure->name() : QStringLiteral("numbers");
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export numbers"), name + QStringLiteral(".npy"),
                                     tr("NumPy array (*.npy);;CSV table (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    const core::Status status = mNumbersExporter(path);
    if (!status) {
        QMessageBox::warning(this, tr("Cannot export numbers"),
                             QString::fromStdString(status.error().message));
    }
}

}  // namespace vitscope::ui
