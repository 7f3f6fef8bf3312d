#include "ui/export/figure_export.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <cmath>

#include "core/io/data_export.h"

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;

namespace {

core::Error ioError(const QString& path, const QString& what) {
    return makeError(ErrorCode::Io, (path + QStringLiteral(": ") + what).toStdString());
}

/// Writes `bytes` to `path` (bytes, used as given) through a temporary file in the same folder:
/// a failed export leaves nothing behind and says why with strerror ("No space left on device").
core::Status writeFile(const std::string& path, const QByteArray& bytes) {
    return core::writeBytes(path, bytes.constData(), static_cast<size_t>(bytes.size()));
}

/// Starts `painter` on the figure's natural coordinates: one figure unit = `scale` device units.
/// Every format paints the same layout (the natural rect) and differs only in this transform.
void beginNatural(QPainter& painter, double scaleX, double scaleY) {
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    // PDF: Flate instead of JPEG, so colours stay exact (Qt's default is lossy for photos).
    painter.setRenderHint(QPainter::LosslessImageRendering, true);
    painter.scale(scaleX, scaleY);
}

core::Result<QByteArray> renderPng(const Figure& figure, const QString& path, double scale) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!renderFigureImage(figure, scale).save(&buffer, "PNG")) {
        return ioError(path, QStringLiteral("PNG encoding failed"));
    }
    return bytes;
}

core::Result<QByteArray> renderSvg(const Figure& figure, const QString& path) {
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
        beginNatural(painter, 1.0, 1.0);
        figure.paint(painter, QRectF(QPointF(0, 0), natural));
        painter.end();
    }
    return bytes;
}

core::Result<QByteArray> renderPdf(const Figure& figure, const QString& path) {
    const QSizeF natural = figure.preferredSize();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setTitle(figure.caption());
        writer.setCreator(QStringLiteral("vitscope"));
        // One device unit = one point = one figure unit (images keep their own pixels).
        writer.setResolution(72);
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setPageSize(
            QPageSize(natural, QPageSize::Point, figure.name(), QPageSize::ExactMatch));
        QPainter painter;
        if (!painter.begin(&writer)) {
            return ioError(path, QStringLiteral("cannot start the PDF painter"));
        }
        beginNatural(painter, 1.0, 1.0);
        figure.paint(painter, QRectF(QPointF(0, 0), natural));
        painter.end();
    }
    return bytes;
}

}  // namespace

QImage renderFigureImage(const Figure& figure, double scale) {
    const QSizeF natural = figure.preferredSize();
    const QSize pixels = exportPixelSize(figure, scale);
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    // While painting, 72 dpi per figure unit like the SVG and PDF devices, so that a font given
    // in points has the same size in figure units on all three.
    const auto setDpi = [&image](double dpi) {
        const int dotsPerMeter = static_cast<int>(std::lround(dpi / 0.0254));
        image.setDotsPerMeterX(dotsPerMeter);
        image.setDotsPerMeterY(dotsPerMeter);
    };
    setDpi(72.0);
    {
        QPainter painter(&image);
        beginNatural(painter, pixels.width() / natural.width(), pixels.height() / natural.height());
        figure.paint(painter, QRectF(QPointF(0, 0), natural));
    }
    setDpi(96.0 * scale);
    return image.convertToFormat(QImage::Format_RGB32);
}

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

core::Status exportFigureToPath(const Figure& figure, const std::string& path, double scale) {
    const QString shown = QFile::decodeName(QByteArray::fromStdString(path));
    const QString format = figureFormat(shown);
    if (format.isEmpty()) {
        return makeError(ErrorCode::Usage,
                         path + ": unknown figure format; expected .png, .svg or .pdf");
    }
    if (!(scale > 0.0 && scale <= 16.0)) {
        return makeError(
            ErrorCode::Usage,
            QStringLiteral("scale %1: expected a value in (0, 16]").arg(scale).toStdString());
    }
    auto bytes = format == QLatin1String("png")   ? renderPng(figure, shown, scale)
                 : format == QLatin1String("svg") ? renderSvg(figure, shown)
                                                  : renderPdf(figure, shown);
    if (!bytes) {
        return bytes.error();
    }
    return writeFile(path, *bytes);
}

core::Status exportFigure(const Figure& figure, const QString& path, double scale) {
    return exportFigureToPath(figure, QFile::encodeName(path).toStdString(), scale);
}

}  // namespace vitscope::ui
