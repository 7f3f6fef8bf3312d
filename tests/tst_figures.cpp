// Figure export (ui/export): every figure of the factory exports as PNG at the requested pixel
// size, as SVG that parses as XML and carries the caption as text, and as PDF that poppler
// renders to a non-empty page of the figure's size; the numbers behind the figures export as
// .npy with the documented shapes and as CSV. Every row of the figure table builds, and every
// figure with numbers writes a .npy and a .csv that hold the same values in the same shape.
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include "core/analysis/attention_distance.h"
#include "core/io/file_util.h"
#include "core/io/npy.h"
#include "test_models.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/export/figure_table.h"
#include "ui/export/pair_builders.h"
#include "ui/figures/attention_distance_figure.h"
#include "ui/figures/pair_figure.h"
#include "ui/figures/posembed_similarity_figure.h"

using namespace vitscope;
using vitscope::testing::loadTestModel;
using vitscope::testing::syntheticImage;

namespace {

QString squeeze(QString text) { return text.remove(QRegularExpression(QStringLiteral("\\s+"))); }

/// Text of the SVG's <text>/<tspan> elements, joined; fails the test on XML errors.
QString svgText(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open ") + path;
        return {};
    }
    QXmlStreamReader xml(&file);
    QString text;
    int depth = 0;  // inside <text>
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("text")) {
            ++depth;
        } else if (xml.isEndElement() && xml.name() == QLatin1String("text")) {
            --depth;
            text += QLatin1Char(' ');
        } else if (xml.isCharacters() && depth > 0) {
            text += xml.text();
        }
    }
    if (xml.hasError()) {
        *error = xml.errorString();
    }
    return text;
}

struct Fixture {
    ui::FigureContext context;
};

/// Default options, except that the lab figures (no model) read the test fixture
/// tests/data/lab/data-hunger-full.json (invented numbers) instead of the bundled results.
ui::FigureOptions optionsFor(const QString& name) {
    ui::FigureOptions options;
    const ui::FigureEntry* entry = ui::findFigure(name);
    if (entry != nullptr && !entry->needsModel) {
        options.labResults = VITSCOPE_TEST_DATA "/lab/data-hunger-full.json";
    }
    return options;
}

Fixture makeFixture() {
    Fixture f;
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    if (!model) {
        return f;
    }
    f.context.model = model.value();
    auto run = core::runImage(f.context.model,
                              std::make_shared<const core::Image8>(syntheticImage(40, 36, 3)));
    if (!run) {
        return f;
    }
    f.context.run = std::make_shared<const core::Run>(std::move(run.value()));
    f.context.modelName = QStringLiteral("hf_vit_cls");
    return f;
}

}  // namespace

class TestFigures : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void png_data();
    void png();
    void svg_data();
    void svg();
    void pdf_data();
    void pdf();
    void numbers_data();
    void numbers();
    void tableBuildsEveryFigure_data();
    void tableBuildsEveryFigure();
    void numbersRoundTrip_data();
    void numbersRoundTrip();
    void unknownNamesAndFormats();
    void noPositionEmbeddingsSaysSo();
    void similarityTileHitTest();
    void pairFigure_data();
    void pairFigure();

private:
    void addFigureRows();
    Fixture mFixture;
    QTemporaryDir mDir;
};

void TestFigures::initTestCase() {
    QVERIFY(mDir.isValid());
    if (qEnvironmentVariableIsSet("VITSCOPE_KEEP_FIGURES")) {  // to look at the exports
        mDir.setAutoRemove(false);
        qInfo("figures kept in %s", qPrintable(mDir.path()));
    }
    mFixture = makeFixture();
    QVERIFY2(mFixture.context.result(), "the hf_vit_cls test model did not load or run");
}

void TestFigures::addFigureRows() {
    QTest::addColumn<QString>("name");
    for (const QString& name : ui::figureNames()) {
        QTest::newRow(qPrintable(name)) << name;
    }
}

void TestFigures::png_data() { addFigureRows(); }

void TestFigures::png() {
    QFETCH(QString, name);
    auto figure = ui::makeFigure(name, mFixture.context, optionsFor(name));
    QVERIFY2(figure, figure ? "" : figure.error().message.c_str());
    QVERIFY(!figure.value()->caption().isEmpty());
    for (double scale : {1.0, 1.5, 2.0}) {
        const QString path = mDir.filePath(name + QStringLiteral("_%1.png").arg(scale));
        auto st = ui::exportFigure(*figure.value(), path, scale);
        QVERIFY2(st, st ? "" : st.error().message.c_str());
        QImage image(path);
        QVERIFY2(!image.isNull(), qPrintable(path));
        const QSizeF natural = figure.value()->preferredSize();
        QCOMPARE(image.size(),
                 QSize(qRound(natural.width() * scale), qRound(natural.height() * scale)));
        QCOMPARE(image.size(), ui::exportPixelSize(*figure.value(), scale));
        // Something was drawn: not a blank white page.
        bool drawn = false;
        for (int y = 0; y < image.height() && !drawn; y += 3) {
            for (int x = 0; x < image.width() && !drawn; x += 3) {
                drawn = image.pixel(x, y) != qRgb(255, 255, 255);
            }
        }
        QVERIFY(drawn);
    }
}

void TestFigures::svg_data() { addFigureRows(); }

void TestFigures::svg() {
    QFETCH(QString, name);
    auto figure = ui::makeFigure(name, mFixture.context, optionsFor(name));
    QVERIFY2(figure, figure ? "" : figure.error().message.c_str());
    const QString path = mDir.filePath(name + QStringLiteral(".svg"));
    auto st = ui::exportFigure(*figure.value(), path);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QString error;
    const QString text = svgText(path, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // The caption is word-wrapped into one <text> per line: compare without white space.
    const QString caption = squeeze(figure.value()->caption());
    QVERIFY2(squeeze(text).contains(caption),
             qPrintable(QStringLiteral("caption not found as text in %1").arg(path)));
}

void TestFigures::pdf_data() { addFigureRows(); }

void TestFigures::pdf() {
    QFETCH(QString, name);
    const QString pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
    QVERIFY2(!pdftoppm.isEmpty(), "pdftoppm not found: install poppler-utils");
    auto figure = ui::makeFigure(name, mFixture.context, optionsFor(name));
    QVERIFY2(figure, figure ? "" : figure.error().message.c_str());
    const QString path = mDir.filePath(name + QStringLiteral(".pdf"));
    auto st = ui::exportFigure(*figure.value(), path);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    const QString prefix = mDir.filePath(name + QStringLiteral("_pdf"));
    QProcess process;
    process.start(pdftoppm, {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("72"),
                             QStringLiteral("-singlefile"), path, prefix});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    QImage page(prefix + QStringLiteral(".png"));
    QVERIFY2(!page.isNull(), "pdftoppm wrote no page");
    // At 72 dpi one pixel is one point: the page is the figure's size.
    const QSizeF natural = figure.value()->preferredSize();
    QVERIFY2(
        qAbs(page.width() - natural.width()) <= 2 && qAbs(page.height() - natural.height()) <= 2,
        qPrintable(QStringLiteral("page %1x%2, figure %3x%4")
                       .arg(page.width())
                       .arg(page.height())
                       .arg(natural.width())
                       .arg(natural.height())));
    int dark = 0;
    for (int y = 0; y < page.height(); ++y) {
        for (int x = 0; x < page.width(); ++x) {
            dark += qGray(page.pixel(x, y)) < 128 ? 1 : 0;
        }
    }
    QVERIFY2(dark > 50, "the PDF page rendered empty");
}

void TestFigures::numbers_data() {
    const core::InferenceResult& r = *mFixture.context.result();
    const core::VitConfig& c = mFixture.context.model->config();
    const int64_t patches = r.tokens.numPatches();
    QTest::addColumn<QString>("name");
    QTest::addColumn<std::vector<int64_t>>("shape");
    QTest::newRow("posembed-similarity")
        << QStringLiteral("posembed-similarity") << std::vector<int64_t>{patches, patches};
    QTest::newRow("attention-distance")
        << QStringLiteral("attention-distance")
        << std::vector<int64_t>{r.attention.layers(), r.attention.heads()};
    QTest::newRow("attention") << QStringLiteral("attention")
                               << std::vector<int64_t>{r.tokens.gridH, r.tokens.gridW};
    QTest::newRow("rollout") << QStringLiteral("rollout")
                             << std::vector<int64_t>{r.tokens.gridH, r.tokens.gridW};
    QTest::newRow("embedding-filters")
        << QStringLiteral("embedding-filters")
        << std::vector<int64_t>{28, c.channels, c.patchSize, c.patchSize};
    // The fixture's points: 5 ViT, 5 CNN, 1 ViT without position embeddings.
    QTest::newRow("data-hunger") << QStringLiteral("data-hunger") << std::vector<int64_t>{11, 5};
}

void TestFigures::numbers() {
    QFETCH(QString, name);
    QFETCH(std::vector<int64_t>, shape);
    const QString npy = mDir.filePath(name + QStringLiteral(".npy"));
    auto st = ui::exportNumbers(name, mFixture.context, optionsFor(name), npy);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QFile file(npy);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    auto array = core::parseNpy(std::as_bytes(std::span(bytes.constData(), bytes.size())), "npy");
    QVERIFY2(array, array ? "" : array.error().message.c_str());
    QCOMPARE(array->shape, shape);
    QCOMPARE(array->dtype, core::DType::F32);

    const QString csv = mDir.filePath(name + QStringLiteral(".csv"));
    st = ui::exportNumbers(name, mFixture.context, optionsFor(name), csv);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines =
        QString::fromUtf8(csvFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + static_cast<int>(shape[0]));  // header + one line per row
}

void TestFigures::tableBuildsEveryFigure_data() { addFigureRows(); }

void TestFigures::tableBuildsEveryFigure() {
    QFETCH(QString, name);
    const ui::FigureEntry* entry = ui::findFigure(name);
    QVERIFY2(entry, qPrintable(name));
    QVERIFY(entry->build);
    QCOMPARE(ui::numberFigureNames().contains(name), entry->numbers != nullptr);
    auto figure = entry->build(mFixture.context, optionsFor(name));
    QVERIFY2(figure, figure ? "" : figure.error().message.c_str());
    QVERIFY(!figure.value()->name().isEmpty());  // the painter's ("rollout" draws "attention")
    // makeFigure is a lookup in the table: the same figure.
    auto made = ui::makeFigure(name, mFixture.context, optionsFor(name));
    QVERIFY2(made, made ? "" : made.error().message.c_str());
    QCOMPARE(made.value()->caption(), figure.value()->caption());
    // Without a run, the figures that need one say so; the model-only ones still build.
    ui::FigureContext modelOnly;
    modelOnly.model = mFixture.context.model;
    auto withoutRun = ui::makeFigure(name, modelOnly, optionsFor(name));
    if (entry->needsRun) {
        QVERIFY(!withoutRun);
        QCOMPARE(withoutRun.error().code, core::ErrorCode::BadImage);
    } else {
        QVERIFY2(withoutRun, withoutRun ? "" : withoutRun.error().message.c_str());
    }
    // Without a model, only the figures drawn from a file of their own build.
    auto withoutModel = ui::makeFigure(name, ui::FigureContext{}, optionsFor(name));
    QCOMPARE(bool(withoutModel), !entry->needsModel);
    if (entry->needsModel) {
        QCOMPARE(withoutModel.error().code, core::ErrorCode::BadModel);
    }
}

void TestFigures::numbersRoundTrip_data() {
    QTest::addColumn<QString>("name");
    for (const QString& name : ui::numberFigureNames()) {
        QVERIFY(ui::figureNames().contains(name));
        QTest::newRow(qPrintable(name)) << name;
    }
}

void TestFigures::numbersRoundTrip() {
    QFETCH(QString, name);
    constexpr size_t kMaxBytes = 64 << 20;
    const QString npy = mDir.filePath(name + QStringLiteral("_rt.npy"));
    const QString csv = mDir.filePath(name + QStringLiteral("_rt.csv"));
    for (const QString& path : {npy, csv}) {
        auto st = ui::exportNumbers(name, mFixture.context, optionsFor(name), path);
        QVERIFY2(st, st ? "" : st.error().message.c_str());
    }
    auto npyBytes = core::readFile(npy.toStdString(), kMaxBytes);
    QVERIFY2(npyBytes, npyBytes ? "" : npyBytes.error().message.c_str());
    auto array = core::parseNpy(npyBytes.value(), "npy");
    QVERIFY2(array, array ? "" : array.error().message.c_str());
    QVERIFY(array->shape.size() >= 2);
    const std::vector<float> values = core::toFloat32(array.value());

    auto csvBytes = core::readFile(csv.toStdString(), kMaxBytes);
    QVERIFY2(csvBytes, csvBytes ? "" : csvBytes.error().message.c_str());
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(csvBytes->data()),
                                           static_cast<qsizetype>(csvBytes->size()));
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(!lines.isEmpty());
    const int64_t cols = lines.front().split(QLatin1Char(',')).size();  // the header
    const int64_t rows = lines.size() - 1;
    // CSV: the first axis as rows, everything else flattened into the columns.
    QCOMPARE(rows, array->shape[0]);
    QCOMPARE(rows * cols, array->numel());
    // Same values: '%.9g' round-trips a float exactly.
    for (int64_t r = 0; r < rows; ++r) {
        const QStringList fields = lines[r + 1].split(QLatin1Char(','));
        QCOMPARE(fields.size(), cols);
        for (int64_t c = 0; c < cols; ++c) {
            QCOMPARE(fields[c].toFloat(), values[r * cols + c]);
        }
    }
}

void TestFigures::unknownNamesAndFormats() {
    auto figure = ui::makeFigure(QStringLiteral("nonsense"), mFixture.context);
    QVERIFY(!figure);
    QCOMPARE(figure.error().code, core::ErrorCode::Usage);
    auto ok = ui::makeFigure(QStringLiteral("embedding-filters"), mFixture.context);
    QVERIFY(ok);
    auto st = ui::exportFigure(*ok.value(), mDir.filePath(QStringLiteral("x.gif")));
    QVERIFY(!st);
    QCOMPARE(st.error().code, core::ErrorCode::Usage);
    st = ui::exportFigure(*ok.value(), QStringLiteral("/nonexistent-dir/x.png"));
    QVERIFY(!st);
    QCOMPARE(st.error().code, core::ErrorCode::Io);
    QVERIFY(st.error().message.find("/nonexistent-dir/x.png") != std::string::npos);
    st = ui::exportNumbers(QStringLiteral("experiments"), mFixture.context, {},
                           mDir.filePath(QStringLiteral("x.npy")));
    QVERIFY(!st);
    QCOMPARE(st.error().code, core::ErrorCode::Usage);
    // Figures that need an image say so.
    ui::FigureContext modelOnly;
    modelOnly.model = mFixture.context.model;
    auto needsImage = ui::makeFigure(QStringLiteral("attention"), modelOnly);
    QVERIFY(!needsImage);
    QCOMPARE(needsImage.error().code, core::ErrorCode::BadImage);
    QVERIFY(ui::makeFigure(QStringLiteral("posembed-similarity"), modelOnly));
}

void TestFigures::noPositionEmbeddingsSaysSo() {
    ui::PosEmbedSimilarityData data;
    data.gridH = data.gridW = 4;
    data.unavailable = QStringLiteral("this model has no learned absolute position embeddings");
    ui::PosEmbedSimilarityFigure figure(data);
    QVERIFY(figure.caption().contains(QStringLiteral("no learned absolute position")));
    const QString path = mDir.filePath(QStringLiteral("nopos.svg"));
    QVERIFY(ui::exportFigure(figure, path));
    QString error;
    QVERIFY(squeeze(svgText(path, &error)).contains(squeeze(data.unavailable)));
}

void TestFigures::similarityTileHitTest() {
    auto data = ui::posEmbedSimilarityData(*mFixture.context.model, 0, 0, core::PosInterp::Bicubic,
                                           QStringLiteral("m"));
    ui::PosEmbedSimilarityFigure figure(data);
    const QRectF target(QPointF(10, 20), figure.preferredSize() * 0.5);
    QCOMPARE(figure.tileAt(target, target.topLeft()), std::make_pair(-1, -1));
    // Scan the target: every tile of the grid is hit somewhere, nothing outside the grid.
    QSet<int> hit;
    for (double y = target.top(); y < target.bottom(); y += 1.0) {
        for (double x = target.left(); x < target.right(); x += 1.0) {
            const auto [r, c] = figure.tileAt(target, QPointF(x, y));
            if (r >= 0) {
                QVERIFY(r < data.gridH && c < data.gridW);
                hit.insert(r * data.gridW + c);
            }
        }
    }
    QCOMPARE(hit.size(), data.gridH * data.gridW);
}

namespace {

/// Pixels of `image` inside `rect` that are not white.
int inkIn(const QImage& image, const QRect& rect) {
    int ink = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        for (int x = rect.left(); x <= rect.right(); ++x) {
            ink += image.pixel(x, y) != qRgb(255, 255, 255) ? 1 : 0;
        }
    }
    return ink;
}

}  // namespace

void TestFigures::pairFigure_data() {
    QTest::addColumn<QString>("name");
    for (const QString& name : ui::pairFigureNames()) {
        QTest::newRow(qPrintable(name)) << name;
    }
}

void TestFigures::pairFigure() {
    QFETCH(QString, name);
    // A second model with another input size, grid, numbers and prefix tokens, on the same image.
    ui::FigureContext other;
    auto model = loadTestModel(QStringLiteral("hf_deit_distilled"));
    QVERIFY2(model, model ? "" : model.error().message.c_str());
    other.model = model.value();
    auto run = core::runImage(other.model, mFixture.context.run->source);
    QVERIFY2(run, run ? "" : run.error().message.c_str());
    other.run = std::make_shared<const core::Run>(std::move(run.value()));
    other.modelName = QStringLiteral("hf_deit_distilled");
    auto made = ui::makePairFigure(name, mFixture.context, other);
    QVERIFY2(made, made ? "" : made.error().message.c_str());
    const ui::PairFigure& pair = *made.value();
    QCOMPARE(pair.name(), name + QStringLiteral("-pair"));
    QCOMPARE(pair.leftTitle(), QStringLiteral("hf_vit_cls"));
    QCOMPARE(pair.rightTitle(), QStringLiteral("hf_deit_distilled"));
    QVERIFY(pair.caption().contains(QStringLiteral("Right: hf_deit_distilled")));
    if (name == QStringLiteral("attention-distance")) {
        const auto& a = dynamic_cast<const ui::AttentionDistanceFigure&>(pair.left());
        const auto& b = dynamic_cast<const ui::AttentionDistanceFigure&>(pair.right());
        // Alone, the two would get different axes (32 and 16 pixel inputs); paired, one axis.
        auto alone = [&name](const ui::FigureContext& c) {
            auto f = ui::makeFigure(name, c);
            return f ? dynamic_cast<const ui::AttentionDistanceFigure&>(*f.value()).yMax() : -1.0;
        };
        const double topA = alone(mFixture.context);
        const double topB = alone(other);
        QVERIFY2(topA != topB, "the two test models should need different axes");
        QCOMPARE(a.yMax(), std::max(topA, topB));
        QCOMPARE(b.yMax(), a.yMax());
        QVERIFY(a.data().distances ==
                core::meanAttentionDistance(mFixture.context.result()->attention,
                                            mFixture.context.result()->tokens,
                                            mFixture.context.model->config().patchSize));
    }
    // Render: both halves carry a figure.
    const QSizeF size = pair.preferredSize();
    QImage image(size.toSize(), QImage::Format_RGB32);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        pair.paint(painter, QRectF(QPointF(0, 0), size));
    }
    const int leftInk = inkIn(image, pair.leftRect().toRect().intersected(image.rect()));
    const int rightInk = inkIn(image, pair.rightRect().toRect().intersected(image.rect()));
    QVERIFY2(leftInk > 500 && rightInk > 500,
             qPrintable(QStringLiteral("ink left %1, right %2").arg(leftInk).arg(rightInk)));
    QVERIFY(pair.leftRect().right() <= pair.rightRect().left());
    // Every format; the SVG carries both titles and the one caption as text.
    for (const char* format : {"png", "svg", "pdf"}) {
        const QString path = mDir.filePath(name + QStringLiteral("-pair.") + format);
        auto st = ui::exportFigure(pair, path);
        QVERIFY2(st, st ? "" : st.error().message.c_str());
        QVERIFY(QFileInfo(path).size() > 0);
    }
    QString error;
    const QString text =
        squeeze(svgText(mDir.filePath(name + QStringLiteral("-pair.svg")), &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(text.contains(QStringLiteral("hf_vit_cls")));
    QVERIFY(text.contains(QStringLiteral("hf_deit_distilled")));
    QVERIFY(text.contains(squeeze(pair.caption())));
    // The sides draw no caption of their own: the left one's text appears once, in the pair's.
    QCOMPARE(text.count(squeeze(pair.left().caption())), 1);
}

QTEST_MAIN(TestFigures)
#include "tst_figures.moc"
