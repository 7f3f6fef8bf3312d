// vitscope-cli export of the lab figures (data-hunger, position-ablation) as scripts use it: no
// model and no image needed, --lab-results reads another file (the fixtures in tests/data/lab are
// invented numbers), every format is written, and a hostile, missing or FIFO results file exits 2
// with a message naming the file.
#include <sys/stat.h>

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(VITSCOPE_CLI), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

const QString kFixture = QStringLiteral(VITSCOPE_TEST_DATA "/lab/data-hunger-full.json");

}  // namespace

class TestCliLab : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }
    void exportsWithoutModelOrImage_data();
    void exportsWithoutModelOrImage();
    void hostileResultsExit2_data();
    void hostileResultsExit2();
    void fifoExits2Promptly();
    void ablationHasNoNumbers();
    void helpListsTheOption();

private:
    QTemporaryDir mDir;
};

void TestCliLab::exportsWithoutModelOrImage_data() {
    QTest::addColumn<QString>("figure");
    QTest::addColumn<QString>("ext");
    for (const char* figure : {"data-hunger", "position-ablation"}) {
        for (const char* ext : {"png", "svg", "pdf"}) {
            QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(figure, ext))) << figure << ext;
        }
    }
    QTest::newRow("data-hunger csv") << "data-hunger"
                                     << "csv";
    QTest::newRow("data-hunger npy") << "data-hunger"
                                     << "npy";
}

void TestCliLab::exportsWithoutModelOrImage() {
    QFETCH(QString, figure);
    QFETCH(QString, ext);
    const QString out = mDir.filePath(figure + QLatin1Char('.') + ext);
    const Run r = cli({"export", "--figure", figure, "--lab-results", kFixture, "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFileInfo(out).size() > 0);
    if (ext == QLatin1String("csv")) {
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 11);  // header + 5 ViT, 5 CNN and 1 ViT-without-positions rows
    }
}

void TestCliLab::hostileResultsExit2_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    QTest::newRow("NaN") << QByteArray(
                                R"({"series": {"vit": [{"train_images": 1000, "runs": 1,
                                "mean_top1_percent": NaN, "std_top1_percent": 0}]}})")
                         << "evil.json: series.vit[0].mean_top1_percent must be a number";
    QTest::newRow("negative std") << QByteArray(
                                         R"({"series": {"vit": [{"train_images": 1000, "runs": 1,
                                         "mean_top1_percent": 70, "std_top1_percent": -1}]}})")
                                  << "evil.json: series.vit[0].std_top1_percent must be a number";
    QTest::newRow("not JSON") << QByteArray("{") << "evil.json: not valid JSON";
}

void TestCliLab::hostileResultsExit2() {
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    const QString path = mDir.filePath(QStringLiteral("evil.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(json);
    file.close();
    for (const char* figure : {"data-hunger", "position-ablation"}) {
        const QString out = mDir.filePath(QStringLiteral("evil.svg"));
        const Run r = cli({"export", "--figure", figure, "--lab-results", path, "--out", out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(out));
    }
    const Run missing = cli({"export", "--figure", "data-hunger", "--lab-results",
                             mDir.filePath(QStringLiteral("absent.json")), "--out",
                             mDir.filePath(QStringLiteral("x.png"))});
    QCOMPARE(missing.code, 2);
    QVERIFY2(missing.err.contains(QStringLiteral("absent.json")), qPrintable(missing.err));
}

void TestCliLab::fifoExits2Promptly() {
    const QString path = mDir.filePath(QStringLiteral("fifo.json"));
    QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    QElapsedTimer timer;
    timer.start();
    const Run r = cli({"export", "--figure", "data-hunger", "--lab-results", path, "--out",
                       mDir.filePath(QStringLiteral("fifo.png"))});
    QVERIFY(timer.elapsed() < 30000);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("fifo.json")), qPrintable(r.err));
}

void TestCliLab::ablationHasNoNumbers() {
    const Run r = cli({"export", "--figure", "position-ablation", "--lab-results", kFixture,
                       "--out", mDir.filePath(QStringLiteral("a.csv"))});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("has no numbers")), qPrintable(r.err));
}

void TestCliLab::helpListsTheOption() {
    const Run r = cli({"export", "--help"});
    QCOMPARE(r.code, 0);
    const QString help = r.out + r.err;
    QVERIFY2(help.contains(QStringLiteral("--lab-results")), qPrintable(help));
    QVERIFY(help.contains(QStringLiteral("position-ablation")));
}

QTEST_GUILESS_MAIN(TestCliLab)
#include "tst_cli_lab.moc"
