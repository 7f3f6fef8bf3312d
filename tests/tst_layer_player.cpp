// The window's layer animation (ui/layer_player.h) and File > Export > Animation… through the
// real MainWindow on the bundled model (6 layers, 4 heads): Play advances the shown layer (or
// head) on a short interval and wraps round; moving the layer control, a new image and the P key
// stop it; the export writes one GIF frame per layer with the player's time per frame, or
// numbered PNG frames.
#include <QAction>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>

#include "gif_test_util.h"
#include "main_window_fixture.h"
#include "ui/export/animation_menu.h"
#include "ui/layer_player.h"

using vitscope::test::kResources;
using vitscope::test::kTimeoutMs;

class TestLayerPlayer : public QObject, vitscope::test::MainWindowFixture {
    Q_OBJECT
private slots:
    void initTestCase() { openWindow("tst_layer_player"); }
    void cleanupTestCase() { closeWindow(); }
    void playAdvancesLayers();
    void movingTheLayerControlStops();
    void playsHeads();
    void keyboardAndNewImage();
    void exportsGifAndFrames();

private:
    ui::LayerPlayer* player() const { return mWindow->player(); }
    ui::LayerHeadPicker* picker() const { return mWindow->picker(); }
};

void TestLayerPlayer::playAdvancesLayers() {
    QCOMPARE(picker()->numLayers(), 6);
    picker()->setLayer(3);
    player()->setOver(ui::AnimateOver::Layers);
    player()->setIntervalMs(50);
    QCOMPARE(player()->intervalMs(), 50);
    QList<int> seen;
    connect(picker(), &ui::LayerHeadPicker::queryChanged, this,
            [&seen](const AttentionQuery& q) { seen << q.layer; });
    auto* button = player()->findChild<QToolButton*>(QStringLiteral("playButton"));
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(player()->isPlaying());
    QVERIFY(button->isChecked());
    // 3 -> 4 -> 5 -> wraps to 0 -> 1.
    QVERIFY(QTest::qWaitFor([&] { return seen.size() >= 4; }, 10'000));
    QCOMPARE(seen.mid(0, 4), QList<int>({4, 5, 0, 1}));
    QVERIFY(player()->isPlaying());
    expectDisplayedMapMatchesCore();
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!player()->isPlaying());
    disconnect(picker(), &ui::LayerHeadPicker::queryChanged, this, nullptr);
    const int layer = picker()->query().layer;
    QTest::qWait(200);
    QCOMPARE(picker()->query().layer, layer);  // paused means paused
}

void TestLayerPlayer::movingTheLayerControlStops() {
    player()->setIntervalMs(2000);  // no tick during the test
    player()->play();
    QVERIFY(player()->isPlaying());
    auto* slider = picker()->findChild<QSlider*>(QStringLiteral("layerSlider"));
    QVERIFY(slider);
    slider->setValue(slider->value() == 1 ? 2 : 1);
    QVERIFY(!player()->isPlaying());
    // Picking another source patch leaves it playing: only the layer or head stops it.
    player()->play();
    picker()->setSourcePatch(2, 3);
    QVERIFY(player()->isPlaying());
    player()->stop();
}

void TestLayerPlayer::playsHeads() {
    picker()->setLayerAndHead(2, -1);
    player()->setOver(ui::AnimateOver::Heads);
    player()->setIntervalMs(50);
    QList<int> heads;
    connect(picker(), &ui::LayerHeadPicker::queryChanged, this,
            [&heads](const AttentionQuery& q) { heads << q.head; });
    player()->play();
    QVERIFY(QTest::qWaitFor([&] { return heads.size() >= 5; }, 10'000));
    player()->stop();
    disconnect(picker(), &ui::LayerHeadPicker::queryChanged, this, nullptr);
    QCOMPARE(heads.mid(0, 5), QList<int>({0, 1, 2, 3, 0}));
    QCOMPARE(picker()->query().layer, 2);  // the layer stays
    player()->setOver(ui::AnimateOver::Layers);
}

void TestLayerPlayer::keyboardAndNewImage() {
    player()->setIntervalMs(2000);
    mWindow->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(mWindow.get()));
    mWindow->attentionView()->setFocus();
    QTest::keyClick(mWindow->attentionView(), Qt::Key_P);
    QVERIFY(player()->isPlaying());
    QTest::keyClick(mWindow->attentionView(), Qt::Key_P);
    QVERIFY(!player()->isPlaying());
    player()->play();
    mWindow->openImage(kResources + QStringLiteral("/samples/fashion-mnist/1-trouser.png"));
    QVERIFY(waitForResult(QStringLiteral("1-trouser.png")));
    QVERIFY(!player()->isPlaying());
}

void TestLayerPlayer::exportsGifAndFrames() {
    QTemporaryDir dir;
    picker()->setLayerAndHead(5, -1);
    player()->setOver(ui::AnimateOver::Layers);
    player()->setIntervalMs(300);
    const WindowState before = windowState();
    ui::AnimationExporter* exporter = mWindow->animationExport();
    QVERIFY(exporter);
    QVERIFY(mWindow->exportMenu()->actions().contains(exporter->action()));
    const QString gifPath = dir.filePath(QStringLiteral("window.gif"));
    QString suggested;
    exporter->setPathChooser([&](const QString& s) {
        suggested = s;
        return gifPath;
    });
    exporter->action()->trigger();
    QVERIFY(QTest::qWaitFor([&] { return !exporter->isRunning(); }, kTimeoutMs));
    QVERIFY2(mErrors.isEmpty(), qPrintable(mErrors.join('\n')));
    QVERIFY(suggested.endsWith(QStringLiteral("attention-layers.gif")));
    const test::DecodedGif gif = test::decodeGif(gifPath);
    QVERIFY2(gif.error.isEmpty(), qPrintable(gif.error));
    QCOMPARE(static_cast<int>(gif.frames.size()), 6);
    QVERIFY(gif.delaysCs == std::vector<int>(6, 30));
    QVERIFY(gif.loopsForever);
    // The size of the window's figure exported alone.
    const QSize single = ui::exportPixelSize(mWindow->attentionView()->figure(), 2.0);
    QCOMPARE(QSize(gif.width, gif.height), single);
    expectWindowState(before);

    exporter->setPathChooser([&](const QString&) { return dir.filePath(QStringLiteral("f.png")); });
    exporter->action()->trigger();
    QVERIFY(QTest::qWaitFor([&] { return !exporter->isRunning(); }, kTimeoutMs));
    QVERIFY2(mErrors.isEmpty(), qPrintable(mErrors.join('\n')));
    QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("f-*.png")}, QDir::Files, QDir::Name),
             QStringList({"f-01.png", "f-02.png", "f-03.png", "f-04.png", "f-05.png", "f-06.png"}));
    // Frame 6 is the last layer, which the window shows: the single export of its figure.
    QTemporaryDir other;
    const QString shown = other.filePath(QStringLiteral("shown.png"));
    ui::AttentionFigure figure = mWindow->attentionView()->figure();
    figure.setPalette({});
    QVERIFY(ui::exportFigure(figure, shown));
    QCOMPARE(QImage(dir.filePath(QStringLiteral("f-06.png"))), QImage(shown));

    // A format that is not an animation is refused, naming the file.
    exporter->setPathChooser([&](const QString&) { return dir.filePath(QStringLiteral("a.svg")); });
    exporter->action()->trigger();
    QCOMPARE(mErrors.size(), qsizetype(1));
    QVERIFY(mErrors.first().contains(QStringLiteral("a.svg")));
    mErrors.clear();
}

QTEST_MAIN(TestLayerPlayer)
#include "tst_layer_player.moc"
