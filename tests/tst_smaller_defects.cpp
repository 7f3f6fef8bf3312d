// The smaller defects of issue 13, each on the views themselves (offscreen, no main window):
// the resolution experiment resets its size on a model change, holds only multiples of the
// patch and states the sizes the two runs actually used; every experiments control has a
// tooltip; the Model panel names DeiT's distillation head and counts with proper plurals; the
// filters combo names as many components as the figure shows; the position caption names only
// prefix tokens the model has; the placeholder text stays legible on the white figure panel
// under a dark palette.
#include <QComboBox>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest>
#include <cmath>

#include "core/pipeline/run.h"
#include "test_models.h"
#include "ui/embedding_filters_view.h"
#include "ui/experiments_view.h"
#include "ui/export/figure_builders.h"
#include "ui/figure_widget.h"
#include "ui/figures/embedding_filters_figure.h"
#include "ui/figures/experiments_figure.h"
#include "ui/figures/posembed_similarity_figure.h"
#include "ui/layer_head_picker.h"
#include "ui/model_panel.h"

using namespace vitscope;
using vitscope::testing::loadTestModel;
using vitscope::testing::syntheticImage;

namespace {

const QString kBundled = QStringLiteral(VITSCOPE_RESOURCES "/models/fashion-mnist-vit");

core::RunPtr runOn(const core::ModelPtr& model, int channels) {
    auto run = core::runImage(
        model, std::make_shared<const core::Image8>(syntheticImage(40, 36, channels)));
    return run ? std::make_shared<const core::Run>(std::move(run.value())) : nullptr;
}

}  // namespace

class TestSmallerDefects : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void resolutionFollowsTheModel();
    void resolutionSnapsToPatches();
    void resolutionStatesSizesUsed();
    void experimentsControlsHaveTooltips();
    void modelPanelNamesDistillationHead();
    void filtersComboMatchesFigure();
    void positionCaptionNamesRealTokens();
    void onlyHeadIsNotPlural();
    void placeholderLegibleInDarkPalette();

private:
    core::ModelPtr mBundled;  // 28x28 grey, patch 4
    core::ModelPtr mDeit;     // 16x16 RGB, patch 4, class and distillation tokens and heads
};

void TestSmallerDefects::initTestCase() {
    auto bundled = core::loadModel(kBundled.toStdString());
    QVERIFY2(bundled, bundled ? "" : bundled.error().message.c_str());
    mBundled = bundled.value();
    auto deit = loadTestModel(QStringLiteral("hf_deit_distilled"));
    QVERIFY2(deit, "the hf_deit_distilled test model did not load");
    mDeit = deit.value();
    QCOMPARE(mBundled->config().patchSize, 4);
    QCOMPARE(mDeit->config().patchSize, 4);
}

void TestSmallerDefects::resolutionFollowsTheModel() {
    ui::ExperimentsView view;
    view.setModel(mBundled);
    view.setRun(runOn(mBundled, 1));
    // 1.5x the 7x7 grid the run used: 11 patches of 4.
    QCOMPARE(view.resolutionHeightBox()->value(), 44);
    QCOMPARE(view.resolutionWidthBox()->value(), 44);
    // The previous model's size is not kept (44 is a multiple of this model's patch too).
    view.setModel(mDeit);
    const core::RunPtr run = runOn(mDeit, 3);
    QCOMPARE(run->input->input.height, 16);
    view.setRun(run);
    QCOMPARE(view.resolutionHeightBox()->value(), 24);  // 4x4 grid -> 6x6
    QCOMPARE(view.resolutionWidthBox()->value(), 24);
    // A size the user chose stays for the next image of the same model.
    view.resolutionHeightBox()->setValue(32);
    view.setRun(runOn(mDeit, 3));
    QCOMPARE(view.resolutionHeightBox()->value(), 32);
}

void TestSmallerDefects::resolutionSnapsToPatches() {
    ui::ExperimentsView view;
    view.setModel(mDeit);
    QSpinBox* box = view.resolutionHeightBox();
    QCOMPARE(box->singleStep(), 4);
    box->show();
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, QStringLiteral("30"));
    QTest::keyClick(box, Qt::Key_Return);
    QCOMPARE(box->value(), 32);  // the nearest multiple of 4
    box->selectAll();
    QTest::keyClicks(box, QStringLiteral("29"));
    QTest::keyClick(box, Qt::Key_Return);
    QCOMPARE(box->value(), 28);
    box->stepBy(1);
    QCOMPARE(box->value(), 32);
}

void TestSmallerDefects::resolutionStatesSizesUsed() {
    ui::ExperimentsView view;
    view.setModel(mBundled);
    view.setRun(runOn(mBundled, 1));
    view.setModel(mDeit);
    view.setRun(runOn(mDeit, 3));
    view.resolutionHeightBox()->setValue(32);
    view.resolutionWidthBox()->setValue(32);  // DeiT centre-crops: 32x20 cannot be cut
    QSignalSpy failed(&view, &ui::ExperimentsView::failed);
    view.runExperiments();
    const ui::FigureWidget* widget = view.figureWidgets().front();
    QTRY_VERIFY_WITH_TIMEOUT(widget->figure() != nullptr || !failed.isEmpty(), 180'000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    const auto* figure = dynamic_cast<const ui::ExperimentsFigure*>(widget->figure().get());
    QVERIFY(figure);
    bool found = false;
    for (const core::ExperimentOutcome& o : figure->outcomes()) {
        if (o.kind != core::ExperimentKind::Resolution) {
            continue;
        }
        found = true;
        QCOMPARE(o.variant.inputH, 32);
        QCOMPARE(o.variant.inputW, 32);
        QCOMPARE(o.reference.inputH, 16);
        QVERIFY2(QString::fromStdString(o.description)
                     .startsWith(QStringLiteral("The model runs at 32x32 instead of 16x16")),
                 o.description.c_str());
    }
    QVERIFY(found);
}

void TestSmallerDefects::experimentsControlsHaveTooltips() {
    ui::ExperimentsView view;
    view.setModel(mBundled);
    int controls = 0;
    for (QWidget* w : view.findChildren<QWidget*>()) {
        const bool control = qobject_cast<QSpinBox*>(w) || qobject_cast<QComboBox*>(w) ||
                             qobject_cast<QPushButton*>(w);
        if (control) {
            ++controls;
            QVERIFY2(w->toolTip().size() > 20, qPrintable(w->metaObject()->className()));
            QVERIFY(w->toolTip().endsWith(QLatin1Char('.')));  // a full sentence
        }
    }
    QCOMPARE(controls, 8);  // seed, dy, dx, height, width, interpolation, run, export
}

void TestSmallerDefects::modelPanelNamesDistillationHead() {
    QVERIFY(mDeit->config().distHead);
    ui::ModelPanel panel;
    panel.setModel(*mDeit, nullptr);
    const QString head = panel.field(QStringLiteral("Head"));
    QVERIFY2(head.startsWith(QStringLiteral("10 classes, ")), qPrintable(head));
    QVERIFY2(head.contains(QStringLiteral("distillation head")), qPrintable(head));
    QVERIFY(panel.field(QStringLiteral("Tokens")).contains(QStringLiteral("1 distillation")));
    panel.setModel(*mBundled, nullptr);
    QVERIFY(!panel.field(QStringLiteral("Head")).contains(QStringLiteral("distillation")));
    for (const QString& field :
         {QStringLiteral("Head"), QStringLiteral("Encoder"), QStringLiteral("Tokens")}) {
        QVERIFY2(!panel.field(field).contains(QStringLiteral("(s)")),
                 qPrintable(panel.field(field)));
        QVERIFY2(!panel.field(field).contains(QStringLiteral("(es)")),
                 qPrintable(panel.field(field)));
    }
}

void TestSmallerDefects::filtersComboMatchesFigure() {
    ui::EmbeddingFiltersView view;
    view.setModel(mBundled);
    auto* combo = view.findChild<QComboBox*>(QStringLiteral("filterModeCombo"));
    QVERIFY(combo);
    const ui::FigureWidget* widget = view.figureWidgets().front();
    QTRY_VERIFY(widget->figure() != nullptr);
    const auto* figure = dynamic_cast<const ui::EmbeddingFiltersFigure*>(widget->figure().get());
    QVERIFY(figure);
    const int shown = static_cast<int>(figure->data().components.rows());
    QCOMPARE(shown, 16);  // one grey channel of 4x4 pixels: 16 dimensions
    QCOMPARE(combo->itemText(0), QStringLiteral("First %1 principal components").arg(shown));
    // The DeiT test model has 48 dimensions: the paper's 28.
    view.setModel(mDeit);
    QCOMPARE(combo->itemText(0), QStringLiteral("First 28 principal components"));
}

void TestSmallerDefects::positionCaptionNamesRealTokens() {
    auto captionOf = [](const core::ModelPtr& model) {
        const ui::PosEmbedSimilarityData data =
            ui::posEmbedSimilarityData(*model, 0, 0, core::PosInterp::Bicubic, QString());
        return ui::PosEmbedSimilarityFigure(data).caption();
    };
    const QString bundled = captionOf(mBundled);
    QVERIFY2(!bundled.contains(QStringLiteral("distillation")), qPrintable(bundled));
    QVERIFY2(bundled.contains(QStringLiteral("the class token's entry dropped")),
             qPrintable(bundled));
    const QString deit = captionOf(mDeit);
    QVERIFY2(deit.contains(QStringLiteral("the entries of the class and distillation tokens "
                                          "dropped")),
             qPrintable(deit));
}

void TestSmallerDefects::onlyHeadIsNotPlural() {
    core::TokenLayout tokens;
    tokens.gridH = 2;
    tokens.gridW = 2;
    tokens.numPrefix = 1;
    tokens.clsIndex = 0;
    ui::AttentionQuery q;
    const QString one = ui::describeQuery(q, tokens, 3, 1);
    QVERIFY2(!one.contains(QStringLiteral("1 heads")), qPrintable(one));
    QVERIFY2(one.contains(QStringLiteral("the only head")), qPrintable(one));
    QVERIFY(ui::describeQuery(q, tokens, 3, 4).contains(QStringLiteral("mean of 4 heads")));
}

void TestSmallerDefects::placeholderLegibleInDarkPalette() {
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(40, 40, 40));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    dark.setColor(QPalette::PlaceholderText, QColor(200, 200, 200));
    const QColor white(Qt::white);
    const QColor onWhite = ui::FigureWidget::placeholderColor(dark, white);
    QVERIFY(std::abs(onWhite.lightnessF() - white.lightnessF()) >= 0.4f);
    // What the widget paints: render it and find dark text pixels on the white panel.
    ui::FigureWidget widget;
    widget.setPalette(dark);
    widget.setPlaceholder(QStringLiteral("Open a model to see this figure."));
    widget.resize(400, 200);
    const QImage image = widget.grab().toImage();
    int darkPixels = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            darkPixels += QColor(image.pixel(x, y)).lightnessF() < 0.6f;
        }
    }
    QVERIFY2(darkPixels > 50, qPrintable(QString::number(darkPixels)));
    // A light palette keeps its own placeholder colour.
    QPalette light;
    light.setColor(QPalette::PlaceholderText, QColor(110, 110, 110));
    QCOMPARE(ui::FigureWidget::placeholderColor(light, white), QColor(110, 110, 110));
}

QTEST_MAIN(TestSmallerDefects)
#include "tst_smaller_defects.moc"
