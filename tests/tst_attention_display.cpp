// The attention figure's displays: on the opened image (patches mapped back, the crop's cut
// dimmed), blocky or bicubic, the attention-mass mask and alpha over black; through the figure
// table in PNG, SVG and PDF; and the window's controls, kept when the image changes.
#include <QImage>
#include <QPainter>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "main_window_fixture.h"
#include "test_models.h"
#include "ui/attention_display_bar.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/image_convert.h"

using namespace vitscope;
using ui::AttentionBase;
using ui::AttentionDisplay;
using ui::AttentionDisplayOptions;
using ui::AttentionFigure;

namespace {

/// A 120x60 image with a different colour in every 15x20 block (the patch centres below lie
/// well inside blocks), never black.
QImage wideImage() {
    QImage image(120, 60, QImage::Format_RGB888);
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const int v = 60 + ((x / 15) * 23 + (y / 20) * 41) % 180;
            image.setPixelColor(x, y, QColor(v, 255 - v, 200));
        }
    }
    return image;
}

/// Shorter side to 36, centre crop 32x32, patch 8: a 4x4 grid that cuts the sides off a wide
/// image (72x36 resized, crop from x = 20 and y = 2).
core::SourceMapping cropMapping() {
    auto m =
        core::mapPatchesToSource(120, 60, core::hfShortestEdgeCropRecipe(36, 32, 32), 4, 4, 8, 8);
    return m ? m.value() : core::SourceMapping{};
}

/// A map with one hot cell (2, 1) and the rest small.
core::Matrix hotMap() {
    core::Matrix map = core::Matrix::Constant(4, 4, 0.02f);
    map(2, 1) = 0.5f;
    map(0, 3) = 0.1f;
    return map;
}

AttentionFigure figureOnOriginal(const AttentionDisplayOptions& display) {
    AttentionFigure f;
    f.setImage(QImage(32, 32, QImage::Format_RGB888));
    f.setOriginal(wideImage(), cropMapping());
    f.setGrid(4, 4);
    f.setOverlays({true, false, false, false});  // no grid lines or outline over the pixels
    f.setDisplay(display);
    f.setMap(hotMap());
    return f;
}

/// paintPlot over the base image at its own pixel size.
QImage plot(const AttentionFigure& f) {
    QImage out(f.baseImage().size(), QImage::Format_RGB32);
    out.fill(Qt::magenta);
    QPainter p(&out);
    f.paintPlot(p, QRectF(QPointF(0, 0), QSizeF(out.size())));
    return out;
}

int brightness(QRgb c) { return qRed(c) + qGreen(c) + qBlue(c); }

/// Centre of patch (row, col) of the crop mapping, in source pixels.
QPoint patchCentre(int row, int col) {
    const core::SourceRect r = cropMapping().patch(row, col);
    return {static_cast<int>(r.x + r.w / 2), static_cast<int>(r.y + r.h / 2)};
}

}  // namespace

class TestAttentionDisplay : public QObject, public test::MainWindowFixture {
    Q_OBJECT
private slots:
    void originalTakesTheImageAspectAndDimsTheCut() {
        AttentionDisplayOptions d;
        d.on = AttentionBase::Original;
        AttentionFigure f = figureOnOriginal(d);
        QVERIFY(f.onOriginal());
        QCOMPARE(f.baseImage().size(), QSize(120, 60));
        const QRectF fitted = f.fitImage(QRectF(0, 0, 400, 400));
        QCOMPARE(fitted.width() / fitted.height(), 2.0);
        // The grid covers the centred crop: 60/36*32 = 53.3 px wide of 120.
        const QRectF grid = f.gridRect(QRectF(0, 0, 120, 60));
        QVERIFY(std::abs(grid.width() - 60.0 * 32 / 36) < 1e-9);
        QVERIFY(std::abs(grid.center().x() - 60.0) < 1.0);
        QCOMPARE(f.patchAt(QRectF(0, 0, 120, 60), QPointF(5, 30)), QPoint(-1, -1));  // cut away
        QCOMPARE(f.patchAt(QRectF(0, 0, 120, 60), patchCentre(2, 1)), QPoint(1, 2));
        f.setOverlays({false, false, false, false});  // the image alone
        const QImage shown = plot(f);
        const QImage source = wideImage().convertToFormat(QImage::Format_RGB32);
        const QPoint cut(4, 30);
        QVERIFY(brightness(shown.pixel(cut)) < 0.5 * brightness(source.pixel(cut)));
        QCOMPARE(shown.pixel(60, 30), source.pixel(60, 30));
        QVERIFY(f.caption().contains(QStringLiteral("cut away")));
        // Asked for the original without one: the model input is drawn.
        AttentionFigure none;
        none.setImage(QImage(32, 32, QImage::Format_RGB888));
        none.setDisplay(d);
        QVERIFY(!none.onOriginal());
        QCOMPARE(none.baseImage().size(), QSize(32, 32));
    }

    void blockyAndSmoothDiffer() {
        AttentionDisplayOptions d;
        d.on = AttentionBase::Original;
        const QImage blocky = plot(figureOnOriginal(d));
        d.upsampling = core::Upsampling::Bicubic;
        const QImage smooth = plot(figureOnOriginal(d));
        QVERIFY(blocky != smooth);
        // Blocky: one colour across the hot cell; smooth: it changes inside the cell.
        const core::SourceRect hot = cropMapping().patch(2, 1);
        const QPoint a(static_cast<int>(hot.x + 2), static_cast<int>(hot.y + hot.h / 2));
        const QPoint b(static_cast<int>(hot.right() - 2), a.y());
        QCOMPARE(blocky.pixel(a), blocky.pixel(b));
        QVERIFY(smooth.pixel(a) != smooth.pixel(b));
    }

    void maskKeepsTheMassAndOutlinesIt() {
        AttentionDisplayOptions d;
        d.on = AttentionBase::Original;
        d.display = AttentionDisplay::Mask;
        d.maskMass = 0.6;
        AttentionFigure f = figureOnOriginal(d);
        // 0.5 of 0.88 is 57 %: the hot cell and the 0.1 cell hold 68 %.
        QCOMPARE(f.mask().kept, 2);
        QVERIFY(!f.hasColorBar());
        const QImage shown = plot(f);
        const QImage source = wideImage().convertToFormat(QImage::Format_RGB32);
        const QPoint kept = patchCentre(2, 1);
        const QPoint dropped = patchCentre(1, 1);
        QCOMPARE(shown.pixel(kept), source.pixel(kept));
        QVERIFY(brightness(shown.pixel(dropped)) < 0.5 * brightness(source.pixel(dropped)));
        // The contour runs along the kept cell's edge: bright yellow somewhere on it.
        const core::SourceRect hot = cropMapping().patch(2, 1);
        const QRgb edge = shown.pixel(static_cast<int>(hot.x + hot.w / 2), static_cast<int>(hot.y));
        QVERIFY2(qRed(edge) > 200 && qGreen(edge) > 150 && qBlue(edge) < 120,
                 qPrintable(QColor(edge).name()));
        QVERIFY(f.caption().contains(QStringLiteral("2 of 16 patches")));
        d.maskMass = 0.5;  // the hot cell alone
        QCOMPARE(figureOnOriginal(d).mask().kept, 1);
        QVERIFY(plot(figureOnOriginal(d)) != shown);
        d.upsampling = core::Upsampling::Bicubic;
        QVERIFY(plot(figureOnOriginal(d)) != shown);
    }

    void alphaOverBlack() {
        AttentionDisplayOptions d;
        d.on = AttentionBase::Original;
        d.display = AttentionDisplay::Alpha;
        AttentionFigure f = figureOnOriginal(d);
        QVERIFY(f.hasColorBar());
        const QImage shown = plot(f);
        const QImage source = wideImage().convertToFormat(QImage::Format_RGB32);
        QCOMPARE(shown.pixel(3, 30), qRgb(0, 0, 0));  // cut away by the crop: black
        const QPoint hot = patchCentre(2, 1);
        QCOMPARE(shown.pixel(hot), source.pixel(hot));  // the maximum: the image as it is
        const QPoint tenth = patchCentre(0, 3);         // 0.1 / 0.5 of the image
        QVERIFY(std::abs(qRed(shown.pixel(tenth)) - qRed(source.pixel(tenth)) * 0.2) <= 1.0);
        QVERIFY(std::abs(qBlue(shown.pixel(tenth)) - 200 * 0.2) <= 1.0);
        // On the 32x32 model input the composite is enlarged crisp, never smaller than shown.
        d.on = AttentionBase::Input;
        AttentionFigure input = figureOnOriginal(d);
        QVERIFY(!input.onOriginal());
        QVERIFY(plot(input) != QImage());
    }

    // The figure table builds each display on a run and exports it in the three formats.
    void tableExportsEveryDisplay() {
        auto model = testing::loadTestModel(QStringLiteral("hf_vit_cls"));
        QVERIFY2(model, model ? "" : model.error().message.c_str());
        ui::FigureContext context;
        context.model = model.value();
        auto run = core::runImage(context.model, std::make_shared<const core::Image8>(
                                                     testing::syntheticImage(90, 40, 3)));
        QVERIFY(run);
        context.run = std::make_shared<const core::Run>(std::move(run.value()));
        QTemporaryDir dir;
        QList<QImage> seen;
        for (AttentionBase on : {AttentionBase::Input, AttentionBase::Original}) {
            for (AttentionDisplay display :
                 {AttentionDisplay::Overlay, AttentionDisplay::Mask, AttentionDisplay::Alpha}) {
                for (core::Upsampling up : {core::Upsampling::Nearest, core::Upsampling::Bicubic}) {
                    ui::FigureOptions options;
                    options.attentionDisplay = {on, up, display, 0.6};
                    auto made = ui::makeFigure(QStringLiteral("attention"), context, options);
                    QVERIFY2(made, made ? "" : made.error().message.c_str());
                    auto* f = dynamic_cast<AttentionFigure*>(made.value().get());
                    QVERIFY(f);
                    QCOMPARE(f->onOriginal(), on == AttentionBase::Original);
                    const QSizeF size = f->preferredSize();
                    QCOMPARE(size.width() > 1.4 * size.height(), on == AttentionBase::Original);
                    const QString name = QStringLiteral("%1/%2-%3-%4")
                                             .arg(dir.path(), QLatin1String(ui::toString(on)),
                                                  QLatin1String(ui::toString(display)),
                                                  QLatin1String(core::toString(up)));
                    for (const char* suffix : {".png", ".svg", ".pdf"}) {
                        const QString path = name + QLatin1String(suffix);
                        auto st = ui::exportFigureToPath(*f, path.toStdString(), 1.0);
                        QVERIFY2(st, st ? "" : st.error().message.c_str());
                        QVERIFY(QFileInfo(path).size() > 0);
                    }
                    const QImage png(name + QStringLiteral(".png"));
                    QVERIFY(!png.isNull());
                    QVERIFY2(!seen.contains(png), qPrintable(name));  // every display differs
                    seen << png;
                }
            }
        }
    }

    // The window's controls reach the view, and stay when another image is opened.
    void windowControls() {
        openWindow("tst_attention_display");
        auto* view = mWindow->attentionView();
        auto* bar = mWindow->findChild<ui::AttentionDisplayBar*>();
        QVERIFY(bar);
        QCOMPARE(view->display(), AttentionDisplayOptions{});
        const QImage before = view->grab().toImage();
        bar->displayCombo()->setCurrentIndex(bar->displayCombo()->findData("mask"));
        QCOMPARE(view->display().display, AttentionDisplay::Mask);
        QVERIFY(bar->massSpin()->isEnabled());
        bar->massSpin()->setValue(35);
        QCOMPARE(view->display().maskMass, 0.35);
        bar->upsamplingCombo()->setCurrentIndex(1);
        QCOMPARE(view->display().upsampling, core::Upsampling::Bicubic);
        const QImage mask = view->grab().toImage();
        QVERIFY(mask != before);
        bar->onCombo()->setCurrentIndex(bar->onCombo()->findData("original"));
        const QString photo = test::kResources + QStringLiteral("/samples/photos/chelsea.png");
        mWindow->openImage(photo);
        QVERIFY2(waitForResult(QStringLiteral("chelsea.png")), qPrintable(mErrors.join('\n')));
        QCOMPARE(view->display().display, AttentionDisplay::Mask);
        QCOMPARE(view->display().on, AttentionBase::Original);
        QVERIFY(view->figure().onOriginal());
        QCOMPARE(view->figure().baseImage().size(), QSize(451, 300));
        const QRectF shown = view->imageRect();
        QVERIFY(std::abs(shown.width() / shown.height() - 451.0 / 300.0) < 0.01);
        QVERIFY(view->figure().caption().contains(QStringLiteral("of 49 patches")));
        bar->displayCombo()->setCurrentIndex(bar->displayCombo()->findData("alpha"));
        QVERIFY(!bar->massSpin()->isEnabled());
        QVERIFY(view->grab().toImage() != mask);
        QCOMPARE(QSettings().value(QStringLiteral("view/attentionDisplay")).toString(),
                 QStringLiteral("alpha"));
        closeWindow();
    }
};

QTEST_MAIN(TestAttentionDisplay)
#include "tst_attention_display.moc"
