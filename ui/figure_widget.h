#pragma once
/// FigureWidget: shows any Figure, aspect-fitted and centred, painted through Figure::paint (the
/// same call export uses). Right-click (or the Export… button of a host) offers "Export figure…"
/// (PNG at a chosen scale, SVG, PDF) and, when the host supplies a numbers exporter, "Export
/// numbers…" (.npy / .csv). Clicks are reported in figure target coordinates for hit testing.

#include <QWidget>
#include <functional>
#include <memory>

#include "core/result.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

class FigureWidget : public QWidget {
    Q_OBJECT
public:
    explicit FigureWidget(QWidget* parent = nullptr);

    /// Shares ownership: the widget never modifies the figure.
    void setFigure(std::shared_ptr<const Figure> figure);
    const std::shared_ptr<const Figure>& figure() const { return mFigure; }
    /// Text shown when there is no figure.
    void setPlaceholder(const QString& text);
    const QString& placeholder() const { return mPlaceholder; }
    /// Enables "Export numbers…": called with the chosen path (.npy or .csv).
    void setNumbersExporter(std::function<core::Status(const QString& path)> exporter);
    /// Where paint() draws the figure in widget coordinates (aspect-fitted, centred).
    QRectF figureRect() const;

    /// The placeholder's text colour on `background`: the palette's placeholder colour when it
    /// is legible there, else a grey that is (a dark palette on the white figure panel).
    static QColor placeholderColor(const QPalette& palette, const QColor& background);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    /// Asks for a file name and exports (PNG/SVG/PDF by extension). Errors go to a message box.
    void exportFigureInteractively();
    void exportNumbersInteractively();

signals:
    /// Left click at `pos` (widget coordinates) with the figure drawn into `target`.
    void clicked(QPointF pos, QRectF target);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    std::shared_ptr<const Figure> mFigure;
    QString mPlaceholder;
    std::function<core::Status(const QString&)> mNumbersExporter;
};

}  // namespace vitscope::ui
