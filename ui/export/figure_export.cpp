#include "ui/export/figure_export.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <cmath>

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;

namespace {

core::Error ioError(const QString& path, const QString& what) {
    return makeError(ErrorCode::Io, (path + QStringLiteral(": ") + what).toStdString());
}

/// Writes `bytes` to `path` through a temporary file, so a failed export leaves nothing behind.
core::Status writeFile(const QString& path, const QByteArray& bytes) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return ioError(path,
                       QStringLiteral("cannot open for writing (%1)").arg(file.errorString()));
    }
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        return ioError(path, QStringLiteral("cannot write (%1)").arg(file.errorString()));
    }
    return core::Ok{};
}

core::Status exportPng(const Figure& figure, const QString& path, double scale) {
    const QSizeF natural = figure.preferredSize();
    const QSize pixels = exportPixelSize(figure, scale);
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    const int dotsPerMeter = static_cast<int>(std::lround(96.0 * scale / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setRenderHint(QPainter::TextAntialiasing, true);
        figure.paint(painter, QRectF(0, 0, pixels.width(), pixels.height()));
        (void)natural;
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.convertToFormat(QImage::Format_RGB32).save(&buffer, "PNG")) {
        return ioError(path, QStringLiteral("PNG encoding failed"));
    }
    return writeFile(path, bytes);
}

core::Status exportSvg(const Figure& figure, const QString& path) {
    const QSizeF natural = figure.preferredSize();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(QSize(static_cast<int>(std::ceil(natural.width())),
                            static_cast<int>(std::ceil(natural.height()))));
    generator.setViewBox(QRectF(QPointF(0, 0), natural));
    generator.setResolution(72);  // one figure unit = one point
    // QSvgGenerator (Qt 6.4) writes <title> and <desc> without escaping: "Abnar & Zuidema" would
    // make the file invalid XML.
    generator.setTitle(figure.name().toHtmlEscaped());
    generator.setDescription(figure.caption().toHtmlEscaped());
    {
        QPainter painter;
        if (!painter.begin(&generator)) {
            return ioError(path, QStringLiteral("cannot start the SVG painter"));
        }
        figure.paint(painter, QRectF(QPointF(0, 0), natural));
        painter.end();
    }
    return writeFile(path, bytes);
}

core::Status exportPdf(const Figure& figure, const QString& path) {
    const QSizeF natural = figure.preferredSize();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setTitle(figure.caption());
        writer.setCreator(QStringLiteral("vitscope"));
        constexpr int kDpi = 300;
        writer.setResolution(kDpi);
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setPageSize(
            QPageSize(natural, QPageSize::Point, figure.name(), QPageSize::ExactMatch));
        QPainter painter;
        if (!painter.begin(&writer)) {
            return ioError(path, QStringLiteral("cannot start the PDF painter"));
        }
        // Device pixels are 1/300 inch; the figure's units are points.
        const double s = kDpi / 72.0;
        figure.paint(painter, QRectF(0, 0, natural.width() * s, natural.height() * s));
        painter.end();
    }
    return writeFile(path, bytes);
}

}  // namespace

QString figureFormat(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png") || suffix == QLatin1String("svg") ||
        suffix == QLatin1String("pdf")) {
        return suffix;
    }
    return {};
}

QSize exportPixelSize(const Figure& figure, double scale) {
    const QSizeF natural = figure.preferredSize();
    return QSize(std::max(1, static_cast<int>(std::lround(natural.width() * scale))),
                 std::max(1, static_cast<int>(std::lround(natural.height() * scale))));
}

core::Status exportFigure(const Figure& figure, const QString& path, double scale) {
    const QString format = figureFormat(path);
    if (format.isEmpty()) {
        return makeError(ErrorCode::Usage,
                         (path + QStringLiteral(": unknown figure format; expected .png, .svg or "
                                                ".pdf"))
                             .toStdString());
    }
    if (!(scale > 0.0 && scale <= 16.0)) {
        return makeError(
            ErrorCode::Usage,
            QStringLiteral("scale %1: expected a value in (0, 16]").arg(scale).toStdString());
    }
    if (format == QLatin1String("png")) {
        return exportPng(figure, path, scale);
    }
    if (format == QLatin1String("svg")) {
        return exportSvg(figure, path);
    }
    return exportPdf(figure, path);
}

}  // namespace vitscope::ui
