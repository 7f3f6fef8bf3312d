#pragma once
/// Writing a Figure to a file through its own paint(): PNG (raster, `scale` device pixels per
/// figure unit), SVG (vector, text as <text>, title and description set) or PDF (vector, one page
/// exactly the figure's size in points). The format follows the file extension.

#include <QImage>
#include <QString>
#include <string>

#include "core/result.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

/// Exports `figure` to `path` (.png, .svg or .pdf, case-insensitive). PNG: an image of
/// round(preferredSize() * scale) pixels with a DPI of 96 * scale recorded, white background.
/// Errors: Usage for another extension or a scale outside (0, 16], Io when the file cannot be
/// written (the message names the path).
/// The file is written to a temporary name in the target folder and renamed into place: a failed
/// export leaves nothing behind, and the message gives the system's reason (strerror).
core::Status exportFigure(const Figure& figure, const QString& path, double scale = 2.0);
/// The same with `path` as the bytes of a file name, used exactly as given (a name that is not
/// valid UTF-8 survives, which a QString round-trip does not guarantee).
core::Status exportFigureToPath(const Figure& figure, const std::string& path, double scale = 2.0);

/// The pixels exportFigure() writes to a PNG at `scale` (Format_RGB32, white background); the
/// animation export paints its GIF frames through it too.
QImage renderFigureImage(const Figure& figure, double scale);

/// The pixel size exportFigure() gives a PNG at `scale`.
QSize exportPixelSize(const Figure& figure, double scale);

/// "png", "svg", "pdf" when `path` has one of these extensions, else empty.
QString figureFormat(const QString& path);

}  // namespace vitscope::ui
