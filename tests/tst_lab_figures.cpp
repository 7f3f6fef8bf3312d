// The lab figures (ui/figures/data_hunger_figure.h, position_ablation_figure.h) on the fixtures in
// tests/data/lab (invented numbers, not results): the markers sit where the numbers put them
// (the fixture's CNN leads, so the ViT's marker lies below and left of the CNN's), the SVG carries
// the tick labels, the legend and the caption as text, the caption states the gaps computed from
// the file and what a partial sweep lacks, the ablation's dots follow the values, and both build
// through the figure table without a model while a hostile file fails naming it.
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include "core/analysis/lab_results.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/figures/data_hunger_figure.h"
#include "ui/figures/position_ablation_figure.h"

using namespace vitscope;

namespace {

const QString kLabData = QStringLiteral(VITSCOPE_TEST_DATA "/lab/");

QString squeeze(QString text) { return text.remove(QRegularExpression(QStringLiteral("\\s+"))); }

/// Text of the SVG's <text> elements, each followed by a space.
QString svgText(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QXmlStreamReader xml(&file);
    QString text;
    int depth = 0;
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
    return xml.hasError() ? QString() : text;
}

core::LabResults load(const char* name) {
    auto lab = core::loadLabResults((kLabData + QLatin1String(name)).toStdString());
    if (!lab) {
        qFatal("%s", lab.error().message.c_str());
    }
    return std::move(lab.value());
}

/// The figure painted at its natural size (scale 1) on white.
QImage render(const ui::Figure& figure) {
    const QSize size = figure.preferredSize().toSize();
    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    figure.paint(painter, QRectF(QPointF(0, 0), figure.preferredSize()));
    return image;
}

bool near(QRgb a, QColor b, int tolerance = 24) {
    return std::abs(qRed(a) - b.red()) <= tolerance &&
           std::abs(qGreen(a) - b.green()) <= tolerance &&
           std::abs(qBlue(a) - b.blue()) <= tolerance;
}

QString points(double gap) { return QString::number(std::abs(gap), 'f', 1); }

}  // namespace

class TestLabFigures : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }
    void markersFollowTheNumbers();
    void svgCarriesTicksLegendAndGaps();
    void partialSweepSaysWhatIsMissing();
    void ablationDotsAndCaption();
    void ablationWithoutTheLabPair();
    void tableBuildsWithoutModel();
    void hostileFileFailsNamingIt();

private:
    QTemporaryDir mDir;
};

void TestLabFigures::markersFollowTheNumbers() {
    const ui::DataHungerFigure figure(load("data-hunger-full.json"));
    const QImage image = render(figure);
    const std::vector<const core::LabSeries*> order = figure.drawnSeries();
    QCOMPARE(order.size(), size_t{3});
    QCOMPARE(order[0]->arch, std::string("vit"));
    QCOMPARE(order[1]->arch, std::string("cnn"));
    for (int64_t n : {1000, 3000, 10000, 30000, 60000}) {
        const QPointF vit = figure.markerPosition(QStringLiteral("vit"), n);
        const QPointF cnn = figure.markerPosition(QStringLiteral("cnn"), n);
        // The fixture's CNN leads at every size: its marker is higher (smaller y), and the ViT's
        // is dodged to the left.
        QVERIFY2(vit.y() > cnn.y(), qPrintable(QString::number(n)));
        QVERIFY(vit.x() < cnn.x());
        QVERIFY(near(image.pixel(vit.toPoint()), ui::DataHungerFigure::seriesColor(0)));
        QVERIFY(near(image.pixel(cnn.toPoint()), ui::DataHungerFigure::seriesColor(1)));
    }
    // Larger training sets lie further right.
    QVERIFY(figure.markerPosition(QStringLiteral("vit"), 1000).x() <
            figure.markerPosition(QStringLiteral("vit"), 3000).x());
    QCOMPARE(figure.markerPosition(QStringLiteral("vit-nopos"), 1000), QPointF(-1, -1));
    QVERIFY(near(image.pixel(figure.markerPosition(QStringLiteral("vit-nopos"), 60000).toPoint()),
                 ui::DataHungerFigure::seriesColor(2)));
}

void TestLabFigures::svgCarriesTicksLegendAndGaps() {
    const core::LabResults lab = load("data-hunger-full.json");
    const ui::DataHungerFigure figure(lab);
    const QString path = mDir.filePath(QStringLiteral("data-hunger.svg"));
    QVERIFY(ui::exportFigure(figure, path));
    const QString text = svgText(path);
    QVERIFY(!text.isEmpty());
    for (const char* tick : {"1k", "3k", "10k", "30k", "60k"}) {
        QVERIFY2(text.contains(QStringLiteral(" %1 ").arg(QLatin1String(tick))), tick);
    }
    QVERIFY(text.contains(QStringLiteral("ViT (206k parameters)")));
    QVERIFY(text.contains(QStringLiteral("CNN (195k parameters)")));
    QVERIFY(text.contains(QStringLiteral("ViT without position embeddings (206k parameters)")));
    // The gaps, computed here from the file's means.
    const double small = lab.find("vit")->at(1000)->meanTop1 - lab.find("cnn")->at(1000)->meanTop1;
    const double large =
        lab.find("vit")->at(60000)->meanTop1 - lab.find("cnn")->at(60000)->meanTop1;
    const QString caption = figure.caption();
    QVERIFY2(caption.contains(QStringLiteral("With 1k training images the ViT trails the CNN by "
                                             "%1 points; with 60k training images the ViT trails "
                                             "the CNN by %2 points.")
                                  .arg(points(small), points(large))),
             qPrintable(caption));
    QVERIFY(caption.contains(QString::fromStdString(lab.budgetRule)));
    QVERIFY(caption.contains(QString::fromStdString(lab.subsets)));
    QVERIFY(
        caption.contains(QStringLiteral("Runs per size: 1k: 3; 3k: 3; 10k: 2; 30k: 1; 60k: 1.")));
    QVERIFY(!caption.contains(QStringLiteral("Not in this file")));
    QVERIFY(squeeze(text).contains(squeeze(caption)));
}

void TestLabFigures::partialSweepSaysWhatIsMissing() {
    const ui::DataHungerFigure figure(load("data-hunger-partial.json"));
    const QString caption = figure.caption();
    QVERIFY2(caption.contains(QStringLiteral("Not in this file yet (a partial sweep): the CNN at "
                                             "10k; the ViT without position embeddings.")),
             qPrintable(caption));
    QVERIFY(caption.contains(QStringLiteral("with 3k training images the ViT trails")));
    QCOMPARE(figure.markerPosition(QStringLiteral("cnn"), 10000), QPointF(-1, -1));
    QVERIFY(figure.markerPosition(QStringLiteral("vit"), 10000).x() > 0);
    // A file with no series at all still draws (axes, caption) and says every run is missing.
    core::LabResults empty;
    const ui::DataHungerFigure none(empty);
    QVERIFY(none.caption().contains(QStringLiteral("every ViT run; every CNN run")));
    QVERIFY(!render(none).isNull());
}

void TestLabFigures::ablationDotsAndCaption() {
    const core::LabResults lab = load("data-hunger-full.json");
    const ui::PositionAblationFigure figure(lab);
    QCOMPARE(figure.panels().size(), size_t{3});
    QCOMPARE(figure.labTrainImages(), int64_t{60000});
    const double with = lab.find("vit")->at(60000)->meanTop1;
    const double without = lab.find("vit-nopos")->at(60000)->meanTop1;
    QVERIFY(with > without);
    // With position embeddings the dot lies right of the one without; same for the paper's 1-D
    // against none, and for the test-time panel's "as trained" against "removed".
    for (int panel : {0, 1, 2}) {
        QVERIFY(figure.dotPosition(panel, 0).x() > 0);
        QVERIFY2(figure.dotPosition(panel, 0).x() != figure.dotPosition(panel, 1).x(),
                 qPrintable(QString::number(panel)));
    }
    QVERIFY(figure.dotPosition(0, 0).x() > figure.dotPosition(0, 1).x());
    QVERIFY(figure.dotPosition(1, 1).x() > figure.dotPosition(1, 0).x());  // 1-D over none
    QVERIFY(figure.dotPosition(2, 0).x() > figure.dotPosition(2, 1).x());
    // The lab's and the paper's axes do not start at zero; the test-time one does.
    QVERIFY(figure.panels()[0].lo > 0 && figure.panels()[1].lo > 0);
    QCOMPARE(figure.panels()[2].lo, 0.0);
    const QImage image = render(figure);
    QVERIFY(near(image.pixel(figure.dotPosition(0, 0).toPoint()), QColor(31, 119, 180)));
    const QString caption = figure.caption();
    QVERIFY2(
        caption.contains(QStringLiteral("%1 points lower without").arg(points(with - without))),
        qPrintable(caption));
    QVERIFY(caption.contains(QStringLiteral("none 61.4 %, 1-D 64.2 %")));
    const QString path = mDir.filePath(QStringLiteral("position-ablation.svg"));
    QVERIFY(ui::exportFigure(figure, path));
    const QString text = svgText(path);
    QVERIFY(text.contains(QStringLiteral("Paper, Table 8")));
    QVERIFY(text.contains(QStringLiteral("61.4 %")));
    QVERIFY(text.contains(QStringLiteral("%1 %").arg(with, 0, 'f', 1)));
    QVERIFY(squeeze(text).contains(squeeze(caption)));
}

void TestLabFigures::ablationWithoutTheLabPair() {
    const ui::PositionAblationFigure figure(load("data-hunger-partial.json"));
    QCOMPARE(figure.panels().size(), size_t{2});  // no test-time ablation in the file
    QCOMPARE(figure.labTrainImages(), int64_t{0});
    QCOMPARE(figure.dotPosition(0, 0), QPointF(-1, -1));
    QVERIFY(figure.dotPosition(1, 0).x() > 0);  // the paper's numbers are still shown
    QVERIFY(figure.caption().contains(QStringLiteral("no ViT without position embeddings")));
}

void TestLabFigures::tableBuildsWithoutModel() {
    ui::FigureOptions options;
    options.labResults = (kLabData + QStringLiteral("data-hunger-full.json")).toStdString();
    for (const QString& name :
         {QStringLiteral("data-hunger"), QStringLiteral("position-ablation")}) {
        auto figure = ui::makeFigure(name, ui::FigureContext{}, options);
        QVERIFY2(figure, figure ? "" : figure.error().message.c_str());
        QCOMPARE(figure.value()->name(), name);
    }
    const QString csv = mDir.filePath(QStringLiteral("data-hunger.csv"));
    QVERIFY(ui::exportNumbers(QStringLiteral("data-hunger"), ui::FigureContext{}, options, csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.front(),
             QStringLiteral("arch,train_images,mean_top1_percent,std_top1_percent,runs"));
    const core::LabResults lab = load("data-hunger-full.json");
    const core::LabPoint& first = lab.find("vit")->points.front();
    const QStringList row = lines.at(1).split(',');
    QCOMPARE(row.at(0).toDouble(), 0.0);
    QCOMPARE(row.at(1).toDouble(), static_cast<double>(first.trainImages));
    QCOMPARE(row.at(2).toFloat(), static_cast<float>(first.meanTop1));
    QCOMPARE(row.at(4).toInt(), first.runs);
}

void TestLabFigures::hostileFileFailsNamingIt() {
    const QString path = mDir.filePath(QStringLiteral("evil.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"series": {"cnn": [{"train_images": 1000, "runs": 1, "mean_top1_percent": NaN,
                 "std_top1_percent": 0}]}})");
    file.close();
    ui::FigureOptions options;
    options.labResults = path.toStdString();
    auto figure = ui::makeFigure(QStringLiteral("data-hunger"), ui::FigureContext{}, options);
    QVERIFY(!figure);
    QCOMPARE(figure.error().code, core::ErrorCode::BadData);
    QVERIFY2(QString::fromStdString(figure.error().message)
                 .startsWith(QStringLiteral("evil.json: series.cnn[0].mean_top1_percent")),
             figure.error().message.c_str());
}

QTEST_MAIN(TestLabFigures)
#include "tst_lab_figures.moc"
