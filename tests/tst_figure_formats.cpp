// One figure, one layout, three formats: every figure of the figure table, built from the bundled
// model and a bundled sample (the lab figures from the shipped lab results), is exported as PNG,
// SVG and PDF; the SVG is rasterised with rsvg-convert and the PDF with pdftoppm at the PNG's
// pixel size, and the three images must agree (agree() below states the metric). No PDF may
// hold a lossy (DCT/JPEG) image, and every image keeps a white margin on every side, so nothing
// is clipped at the page edge. The metric is checked to fail on figures whose vector outputs
// are shifted by two units or darkened by 8 %.
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <memory>

#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/export/figure_table.h"
#include "ui/figures/figure_parts.h"

using namespace vitscope;

namespace {

// Text is laid out and antialiased differently by Qt's raster engine, librsvg (Pango) and
// poppler (hinting, coverage, sub-pixel advances), and photos are resampled by each renderer's
// own filter. Measured on the bundled model's figures at scale 1 and 2: mean difference up to
// 6.2 per channel and up to 3.6 % of the pixels off by more than kBadLevel, the most in the
// text-heavy lab figures. A layout shifted by two units (9.5 to 22) or colours 8 % darker (10.6
// to 16) lie well above the bound; spoiledVectorOutputsAreCaught checks that.
constexpr double kMaxMeanDiff = 7.5;    // mean absolute difference per channel, 0..255
constexpr int kBadLevel = 64;           // a pixel is "bad" when a channel differs by more
constexpr double kMaxBadShare = 0.045;  // share of bad pixels
constexpr double kMarginUnits = 3.0;    // white margin on every side, in figure units

struct Agreement {
    double meanDiff = 0;
    double badShare = 0;
    bool ok() const { return meanDiff <= kMaxMeanDiff && badShare <= kMaxBadShare; }
    QString describe() const {
        return QStringLiteral(
                   "mean difference %1 per channel (at most %2), %3 % of the pixels "
                   "off by more than %4 (at most %5 %)")
            .arg(meanDiff, 0, 'f', 2)
            .arg(kMaxMeanDiff)
            .arg(100 * badShare, 0, 'f', 2)
            .arg(kBadLevel)
            .arg(100 * kMaxBadShare);
    }
};

Agreement agree(const QImage& a, const QImage& b) {
    const QImage x = a.convertToFormat(QImage::Format_RGB32);
    const QImage y = b.convertToFormat(QImage::Format_RGB32);
    Agreement result;
    if (x.size() != y.size() || x.isNull()) {
        result.meanDiff = 255;
        result.badShare = 1;
        return result;
    }
    double sum = 0;
    qint64 bad = 0;
    for (int row = 0; row < x.height(); ++row) {
        const auto* p = reinterpret_cast<const QRgb*>(x.constScanLine(row));
        const auto* q = reinterpret_cast<const QRgb*>(y.constScanLine(row));
        for (int col = 0; col < x.width(); ++col) {
            const int dr = std::abs(qRed(p[col]) - qRed(q[col]));
            const int dg = std::abs(qGreen(p[col]) - qGreen(q[col]));
            const int db = std::abs(qBlue(p[col]) - qBlue(q[col]));
            sum += dr + dg + db;
            bad += std::max({dr, dg, db}) > kBadLevel ? 1 : 0;
        }
    }
    const double pixels = static_cast<double>(x.width()) * x.height();
    result.meanDiff = sum / (3 * pixels);
    result.badShare = static_cast<double>(bad) / pixels;
    return result;
}

/// The side of `image` (left, top, right, bottom) whose outer `width` pixels are not all white,
/// or empty when the margin is white all round.
QString dirtyMargin(const QImage& source, int width) {
    const QImage image = source.convertToFormat(QImage::Format_RGB32);
    const auto white = [&image](int x, int y) {
        const QRgb c = image.pixel(x, y);
        return qRed(c) >= 245 && qGreen(c) >= 245 && qBlue(c) >= 245;
    };
    const int w = image.width();
    const int h = image.height();
    for (int d = 0; d < width; ++d) {
        for (int y = 0; y < h; ++y) {
            if (!white(d, y)) {
                return QStringLiteral("left (pixel %1, %2)").arg(d).arg(y);
            }
            if (!white(w - 1 - d, y)) {
                return QStringLiteral("right (pixel %1, %2)").arg(w - 1 - d).arg(y);
            }
        }
        for (int x = 0; x < w; ++x) {
            if (!white(x, d)) {
                return QStringLiteral("top (pixel %1, %2)").arg(x).arg(d);
            }
            if (!white(x, h - 1 - d)) {
                return QStringLiteral("bottom (pixel %1, %2)").arg(x).arg(h - 1 - d);
            }
        }
    }
    return {};
}

/// Runs `program` with `args`; on failure returns the reason in `error`.
QByteArray run(const QString& program, const QStringList& args, QString* error) {
    QProcess process;
    process.start(program, args);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        *error = program + QStringLiteral(" ") + args.join(QLatin1Char(' ')) +
                 QStringLiteral(" failed: ") +
                 QString::fromLocal8Bit(process.readAllStandardError());
        return {};
    }
    return process.readAllStandardOutput();
}

/// A figure whose SVG and PDF differ from its PNG in a way the check must catch: the whole
/// figure shifted by `shift` units, or darkened by `darken` (0..1), in vector outputs only.
class SpoiledInVector : public ui::Figure {
public:
    SpoiledInVector(const ui::Figure& inner, double shift, double darken)
        : mInner(inner), mShift(shift), mDarken(darken) {}
    QSizeF preferredSize() const override { return mInner.preferredSize(); }
    QString caption() const override { return mInner.caption(); }
    QString name() const override { return mInner.name(); }
    void paint(QPainter& painter, const QRectF& target) const override {
        const bool vector = ui::figure_parts::isVectorOutput(painter);
        painter.save();
        painter.fillRect(target, Qt::white);
        if (vector) {
            painter.translate(mShift, mShift);
        }
        mInner.paint(painter, target);
        painter.restore();
        if (vector && mDarken > 0) {
            painter.fillRect(target.adjusted(8, 8, -8, -8),
                             QColor(0, 0, 0, static_cast<int>(std::lround(255 * mDarken))));
        }
    }

private:
    const ui::Figure& mInner;
    double mShift;
    double mDarken;
};

}  // namespace

class TestFigureFormats : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void threeFormatsAgree_data();
    void threeFormatsAgree();
    void spoiledVectorOutputsAreCaught_data();
    void spoiledVectorOutputsAreCaught();
    void labelFormatter_data();
    void labelFormatter();

private:
    /// The three renderings of `figure` at `scale`: PNG, rasterised SVG, rasterised PDF; the
    /// PDF's bytes in `pdf`. Fails the test (returns false) when a tool fails.
    bool render(const ui::Figure& figure, double scale, const QString& stem, QImage images[3],
                QByteArray* pdf);

    QTemporaryDir mDir;
    QString mRsvg;
    QString mPdftoppm;
    QString mPdfimages;
    ui::FigureContext mContext;
};

void TestFigureFormats::initTestCase() {
    QVERIFY(mDir.isValid());
    // Missing tools fail the suite: they are part of the test setup (tools/setup.sh installs
    // librsvg2-bin and poppler-utils).
    mRsvg = QStandardPaths::findExecutable(QStringLiteral("rsvg-convert"));
    mPdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
    mPdfimages = QStandardPaths::findExecutable(QStringLiteral("pdfimages"));
    QVERIFY2(!mRsvg.isEmpty(), "rsvg-convert not found: install librsvg2-bin (tools/setup.sh)");
    QVERIFY2(!mPdftoppm.isEmpty(), "pdftoppm not found: install poppler-utils (tools/setup.sh)");
    QVERIFY2(!mPdfimages.isEmpty(), "pdfimages not found: install poppler-utils (tools/setup.sh)");

    auto model = core::loadModel(VITSCOPE_RESOURCES "/models/fashion-mnist-vit");
    QVERIFY2(model, model ? "" : model.error().message.c_str());
    mContext.model = model.value();
    mContext.modelName = QStringLiteral("fashion-mnist-vit");
    auto run = core::runImageFile(mContext.model,
                                  VITSCOPE_RESOURCES "/samples/fashion-mnist/0-t-shirt-top.png");
    QVERIFY2(run, run ? "" : run.error().message.c_str());
    mContext.run = std::make_shared<const core::Run>(std::move(run.value()));
}

bool TestFigureFormats::render(const ui::Figure& figure, double scale, const QString& stem,
                               QImage images[3], QByteArray* pdf) {
    const QString png = mDir.filePath(stem + QStringLiteral(".png"));
    const QString svg = mDir.filePath(stem + QStringLiteral(".svg"));
    const QString pdfPath = mDir.filePath(stem + QStringLiteral(".pdf"));
    for (const QString& path : {png, svg, pdfPath}) {
        if (auto st = ui::exportFigure(figure, path, scale); !st) {
            qWarning("%s", st.error().message.c_str());
            return false;
        }
    }
    images[0] = QImage(png);
    const QString w = QString::number(images[0].width());
    const QString h = QString::number(images[0].height());
    QString error;
    const QString svgPng = mDir.filePath(stem + QStringLiteral("_svg.png"));
    run(mRsvg,
        {QStringLiteral("-w"), w, QStringLiteral("-h"), h, QStringLiteral("-b"),
         QStringLiteral("white"), QStringLiteral("-o"), svgPng, svg},
        &error);
    const QString pdfStem = mDir.filePath(stem + QStringLiteral("_pdf"));
    if (error.isEmpty()) {
        run(mPdftoppm,
            {QStringLiteral("-png"), QStringLiteral("-singlefile"), QStringLiteral("-scale-to-x"),
             w, QStringLiteral("-scale-to-y"), h, pdfPath, pdfStem},
            &error);
    }
    if (!error.isEmpty()) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    images[1] = QImage(svgPng);
    images[2] = QImage(pdfStem + QStringLiteral(".png"));
    QFile file(pdfPath);
    if (!file.open(QIODevice::ReadOnly)) {
        return false;
    }
    *pdf = file.readAll();
    return !images[0].isNull() && !images[1].isNull() && !images[2].isNull();
}

void TestFigureFormats::threeFormatsAgree_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("scale");
    for (const ui::FigureEntry& entry : ui::figureTable()) {
        for (double scale : {1.0, 2.0}) {
            QTest::addRow("%s@%g", entry.name, scale) << QString::fromLatin1(entry.name) << scale;
        }
    }
}

void TestFigureFormats::threeFormatsAgree() {
    QFETCH(QString, name);
    QFETCH(double, scale);
    auto figure = ui::makeFigure(name, mContext, ui::FigureOptions{});
    QVERIFY2(figure, figure ? "" : figure.error().message.c_str());
    const QString stem = name + QStringLiteral("_%1").arg(scale);
    QImage images[3];
    QByteArray pdf;
    QVERIFY(render(*figure.value(), scale, stem, images, &pdf));
    QCOMPARE(images[0].size(), ui::exportPixelSize(*figure.value(), scale));

    const char* kinds[] = {"PNG", "SVG", "PDF"};
    const int margin = static_cast<int>(std::floor(kMarginUnits * scale));
    for (int i = 0; i < 3; ++i) {
        const QString side = dirtyMargin(images[i], margin);
        QVERIFY2(side.isEmpty(),
                 qPrintable(QStringLiteral("%1: drawn into the %2 px margin at the %3")
                                .arg(QLatin1String(kinds[i]))
                                .arg(margin)
                                .arg(side)));
    }
    for (int i = 1; i < 3; ++i) {
        const Agreement a = agree(images[0], images[i]);
        QVERIFY2(a.ok(), qPrintable(QStringLiteral("%1 rasterised against the PNG: %2")
                                        .arg(QLatin1String(kinds[i]), a.describe())));
    }

    QVERIFY2(!pdf.contains("/DCTDecode"), "the PDF holds a JPEG image");
    QString error;
    const QString list = QString::fromLocal8Bit(
        run(mPdfimages, {QStringLiteral("-list"), mDir.filePath(stem + QStringLiteral(".pdf"))},
            &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QStringList lines = list.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 2);  // header and rule
    for (const QString& line : lines.mid(2)) {
        const QStringList cols = line.simplified().split(QLatin1Char(' '));
        QVERIFY2(cols.size() > 8, qPrintable(line));
        QVERIFY2(cols[8] == QLatin1String("image"),
                 qPrintable(QStringLiteral("a PDF image is not lossless: ") + line));
    }
}

void TestFigureFormats::spoiledVectorOutputsAreCaught_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("shift");
    QTest::addColumn<double>("darken");
    QTest::newRow("attention shifted") << QStringLiteral("attention") << 2.0 << 0.0;
    QTest::newRow("layers-heads shifted") << QStringLiteral("layers-heads") << 2.0 << 0.0;
    QTest::newRow("attention darker") << QStringLiteral("attention") << 0.0 << 0.08;
    QTest::newRow("posembed darker") << QStringLiteral("posembed-similarity") << 0.0 << 0.08;
}

void TestFigureFormats::spoiledVectorOutputsAreCaught() {
    QFETCH(QString, name);
    QFETCH(double, shift);
    QFETCH(double, darken);
    auto figure = ui::makeFigure(name, mContext, ui::FigureOptions{});
    QVERIFY2(figure, figure ? "" : figure.error().message.c_str());
    const SpoiledInVector spoiled(*figure.value(), shift, darken);
    QImage images[3];
    QByteArray pdf;
    QVERIFY(render(spoiled, 1.0, name + QStringLiteral("_spoiled"), images, &pdf));
    for (int i = 1; i < 3; ++i) {
        const Agreement a = agree(images[0], images[i]);
        QVERIFY2(!a.ok(), qPrintable(QStringLiteral("not caught: ") + a.describe()));
    }
}

void TestFigureFormats::labelFormatter_data() {
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("1.23e-05") << 1.23e-05 << QStringLiteral("1.23e-05");
    QTest::newRow("3.92e-05") << 3.9215e-05 << QStringLiteral("3.92e-05");
    QTest::newRow("0.0579") << 0.057893 << QStringLiteral("0.0579");
    QTest::newRow("0.72") << 0.72 << QStringLiteral("0.72");
    QTest::newRow("1234567") << 1234567.0 << QStringLiteral("1.23e+06");
    QTest::newRow("negative") << -0.3333 << QStringLiteral("-0.333");
    QTest::newRow("negative small") << -4.5e-07 << QStringLiteral("-4.5e-07");
    QTest::newRow("zero") << 0.0 << QStringLiteral("0");
    QTest::newRow("one") << 1.0 << QStringLiteral("1");
    QTest::newRow("carry into 1e5") << 99999.9 << QStringLiteral("1e+05");
    QTest::newRow("12.5") << 12.5 << QStringLiteral("12.5");
}

void TestFigureFormats::labelFormatter() {
    QFETCH(double, value);
    QFETCH(QString, expected);
    const QString text = ui::figure_parts::formatLabel(value);
    QCOMPARE(text, expected);
    // Parses back to the value at three significant digits.
    bool ok = false;
    const double parsed = text.toDouble(&ok);
    QVERIFY(ok);
    const double tolerance =
        value == 0.0 ? 0.0 : 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(value))) - 2);
    QVERIFY2(std::abs(parsed - value) <= tolerance * 1.0001,
             qPrintable(QStringLiteral("%1 shown as %2").arg(value).arg(text)));
    // The colour bar reserves room for its labels with the font it draws them with: a bar from
    // `value` to 0.72 draws every label inside the width colorBarLabelWidth() gives.
    const QStringList labels = ui::figure_parts::tickLabels(value, 0.72, 5);
    QVERIFY(labels.contains(text));
    const QFontMetricsF metrics(ui::figure_parts::font(ui::figure_parts::kTickSize));
    const double room = ui::figure_parts::colorBarLabelWidth(value, 0.72, 5, QString(), -1);
    for (const QString& label : labels) {
        QVERIFY2(metrics.horizontalAdvance(label) < room, qPrintable(label));
    }
}

QTEST_MAIN(TestFigureFormats)
#include "tst_figure_formats.moc"
